// Gemini CLI, wired through the environment: GEMINI_CLI_SYSTEM_SETTINGS_PATH names a private
// system settings file (highest precedence, merged over the user's and the project's settings)
// holding the guard (BeforeTool on file writes), the message hook (AfterTool, BeforeAgent) and the
// agentvisor MCP server, trusted (no confirmation) and given agentvisor's variables by name
// (`$NAME`, which Gemini CLI expands from its own environment). A system settings file the user
// already has is the base it is written over.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GEMINI_MATCHER, HOOK_TIMEOUT_S } from '../hook-command.js';
import { MESSAGE_HOOK_TIMEOUT_S, type WiringChoice } from './claude.js';
import { variablesSet, type HookCommands } from './hooks.js';

export const GEMINI_SETTINGS_VARIABLE = 'GEMINI_CLI_SYSTEM_SETTINGS_PATH';

/** Where Gemini CLI reads system settings when the variable is not set. */
function defaultSystemSettings(): string {
  if (process.platform === 'darwin') return '/Library/Application Support/GeminiCli/settings.json';
  return '/etc/gemini-cli/settings.json';
}

export function geminiSettings(hooks: HookCommands, choice: WiringChoice, env: Record<string, string | undefined>): Record<string, unknown> {
  const base = readBase(env[GEMINI_SETTINGS_VARIABLE] ?? defaultSystemSettings());
  const events: Record<string, unknown[]> = isObject(base.hooks) ? { ...(base.hooks as Record<string, unknown[]>) } : {};
  const add = (event: string, group: Record<string, unknown>): void => {
    events[event] = [...(Array.isArray(events[event]) ? events[event]! : []), group];
  };
  if (choice.guard) {
    add('BeforeTool', { matcher: GEMINI_MATCHER, hooks: [{ name: 'agentvisor-guard', type: 'command', command: hooks.guard, timeout: HOOK_TIMEOUT_S * 1000 }] });
  }
  if (choice.messageHook) {
    const hook = { name: 'agentvisor-messages', type: 'command', command: hooks.messages, timeout: MESSAGE_HOOK_TIMEOUT_S * 1000 };
    add('AfterTool', { matcher: '.*', hooks: [hook] });
    add('BeforeAgent', { hooks: [hook] });
  }
  const settings: Record<string, unknown> = { ...base };
  if (Object.keys(events).length) {
    settings.hooks = events;
    settings.hooksConfig = { ...(isObject(base.hooksConfig) ? base.hooksConfig : {}), enabled: true };
  }
  if (choice.mcp) {
    const servers = isObject(base.mcpServers) ? base.mcpServers : {};
    const passed = Object.fromEntries(variablesSet(env).map((name) => [name, `$${name}`]));
    settings.mcpServers = { ...servers, agentvisor: { ...hooks.mcp, env: passed, trust: true } };
  }
  return settings;
}

/** Write the settings into `dir`; the variable that points Gemini CLI at them. */
export function writeGeminiSettings(dir: string, settings: Record<string, unknown>): Record<string, string> {
  const file = join(dir, 'settings.json');
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  return { [GEMINI_SETTINGS_VARIABLE]: file };
}

function readBase(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
