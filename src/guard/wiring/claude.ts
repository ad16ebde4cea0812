// Claude Code, wired by its own command line: `--settings=<json>` adds the guard (PreToolUse on
// file writes), the message hook (PostToolUse, UserPromptSubmit) and permission for the agentvisor
// MCP tools; `--mcp-config=<json>` adds the MCP server. Both merge with the user's own settings and
// servers. The `=` form: --mcp-config takes several values and would swallow a prompt after it.
// Claude Code passes its environment to hooks and MCP servers, so the variables travel by name.

import { CLAUDE_MATCHER, HOOK_TIMEOUT_S } from '../hook-command.js';
import type { HookCommands } from './hooks.js';

export interface WiringChoice {
  guard: boolean;
  mcp: boolean;
  /** Unread messages are handed over by the message hook (not when they go to the agent's stdin). */
  messageHook: boolean;
}

/** Seconds a client waits for the message hook (a timeout only delays messages). */
export const MESSAGE_HOOK_TIMEOUT_S = 30;

export function claudeArgs(hooks: HookCommands, choice: WiringChoice): string[] {
  const args: string[] = [];
  const settings = claudeSettings(hooks, choice);
  if (settings) args.push(`--settings=${JSON.stringify(settings)}`);
  if (choice.mcp) args.push(`--mcp-config=${JSON.stringify({ mcpServers: { agentvisor: { type: 'stdio', ...hooks.mcp } } })}`);
  return args;
}

function claudeSettings(hooks: HookCommands, choice: WiringChoice): Record<string, unknown> | null {
  const events: Record<string, unknown[]> = {};
  if (choice.guard) {
    events.PreToolUse = [{ matcher: CLAUDE_MATCHER, hooks: [{ type: 'command', command: hooks.guard, timeout: HOOK_TIMEOUT_S }] }];
  }
  if (choice.messageHook) {
    const hook = { type: 'command', command: hooks.messages, timeout: MESSAGE_HOOK_TIMEOUT_S };
    events.PostToolUse = [{ matcher: '*', hooks: [hook] }];
    events.UserPromptSubmit = [{ hooks: [hook] }];
  }
  const settings: Record<string, unknown> = {};
  if (Object.keys(events).length) settings.hooks = events;
  // Headless sessions (-p) may not ask for permission: the agentvisor tools are allowed up front.
  if (choice.mcp) settings.permissions = { allow: ['mcp__agentvisor'] };
  return Object.keys(settings).length ? settings : null;
}
