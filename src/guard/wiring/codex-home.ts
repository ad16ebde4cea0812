// Codex reads its hooks and MCP servers from files in CODEX_HOME only, so a run gives each codex
// agent a private CODEX_HOME (mode 0700): the user's config.toml plus the agentvisor MCP server
// (given agentvisor's variables by name: Codex passes an MCP server only the variables it is told
// to) and a trust record for exactly agentvisor's own hooks; the user's hooks.json plus agentvisor's
// hooks; and links to the user's auth.json, sessions and instructions, so that a rotated login or
// a new session lands in the user's own CODEX_HOME.

import { chmodSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOOK_TIMEOUT_S } from '../hook-command.js';
import { MESSAGE_HOOK_TIMEOUT_S, type WiringChoice } from './claude.js';
import { codexHookHash, codexHookKey } from './codex-trust.js';
import { variablesSet, type HookCommands } from './hooks.js';
import { isObject } from '../hook-config/json-settings.js';

/** What Codex keeps in CODEX_HOME that is the user's: linked, never copied. */
const LINKED = ['auth.json', 'sessions', 'AGENTS.md', 'prompts', 'rules', 'skills', 'history.jsonl'];
/** Codex's edit tool (Edit and Write cover versions that alias it). */
export const CODEX_GUARD_MATCHER = 'apply_patch|Edit|Write';

interface PlacedHook {
  event: string;
  matcher: string | null;
  command: string;
  timeout: number;
}

/** The user's CODEX_HOME: CODEX_HOME, else ~/.codex. */
export function userCodexHome(env: Record<string, string | undefined>): string | null {
  if (env.CODEX_HOME) return env.CODEX_HOME;
  return env.HOME ? join(env.HOME, '.codex') : null;
}

/** Fill `home` (a new private folder) for one agent. */
export function writeCodexHome(home: string, user: string | null, hooks: HookCommands, choice: WiringChoice, env: Record<string, string | undefined>): void {
  chmodSync(home, 0o700);
  for (const name of LINKED) {
    const target = user ? join(user, name) : null;
    if (target && existsSync(target)) symlinkSync(target, join(home, name));
  }
  const hooksFile = join(home, 'hooks.json');
  const placed = writeHooksFile(hooksFile, user, hooks, choice);
  const config = user ? readText(join(user, 'config.toml')) : '';
  writeFileSync(join(home, 'config.toml'), `${config}${config && !config.endsWith('\n') ? '\n' : ''}${ourConfig(config, hooksFile, placed, hooks, choice, env)}`, { mode: 0o600 });
}

/** The user's hooks.json with ours appended to each event; where ours landed (for trust keys). */
function writeHooksFile(file: string, user: string | null, hooks: HookCommands, choice: WiringChoice): (PlacedHook & { group: number })[] {
  const theirs = user ? readJson(join(user, 'hooks.json')) : null;
  const events: Record<string, unknown[]> = isObject(theirs?.hooks) ? { ...(theirs.hooks as Record<string, unknown[]>) } : {};
  const ours: PlacedHook[] = [];
  if (choice.guard) ours.push({ event: 'PreToolUse', matcher: CODEX_GUARD_MATCHER, command: hooks.guard, timeout: HOOK_TIMEOUT_S });
  if (choice.messageHook) {
    // No matcher: every tool (Codex drops the matcher of an event without one from the trust hash too).
    ours.push({ event: 'PostToolUse', matcher: null, command: hooks.messages, timeout: MESSAGE_HOOK_TIMEOUT_S });
    ours.push({ event: 'UserPromptSubmit', matcher: null, command: hooks.messages, timeout: MESSAGE_HOOK_TIMEOUT_S });
  }
  const placed = ours.map((hook) => {
    const list = Array.isArray(events[hook.event]) ? [...events[hook.event]!] : [];
    list.push({ ...(hook.matcher === null ? {} : { matcher: hook.matcher }), hooks: [{ type: 'command', command: hook.command, timeout: hook.timeout }] });
    events[hook.event] = list;
    return { ...hook, group: list.length - 1 };
  });
  if (placed.length || theirs) writeFileSync(file, `${JSON.stringify({ ...(theirs ?? {}), hooks: events }, null, 2)}\n`, { mode: 0o600 });
  return placed;
}

function ourConfig(existing: string, hooksFile: string, placed: (PlacedHook & { group: number })[], hooks: HookCommands, choice: WiringChoice, env: Record<string, string | undefined>): string {
  const lines = ['', '# Added by agentvisor for this run only (a private CODEX_HOME, removed when the run ends).'];
  if (choice.mcp && !/^\s*\[mcp_servers\.agentvisor\]/m.test(existing)) {
    lines.push(
      '[mcp_servers.agentvisor]',
      `command = ${toml(hooks.mcp.command)}`,
      `args = [${hooks.mcp.args.map(toml).join(', ')}]`,
      // By name: Codex hands an MCP server only the variables listed here, with their values from its own environment.
      `env_vars = [${variablesSet(env).map(toml).join(', ')}]`,
      // Pre-approved: coordination tools only, and a headless `codex exec` (approval "never") refuses
      // every MCP call that would need an approval.
      'default_tools_approval_mode = "approve"',
      // The server starts in well under a second, but not on a machine under heavy load.
      'startup_timeout_sec = 30',
      '',
    );
  }
  for (const hook of placed) {
    lines.push(`[hooks.state.${toml(codexHookKey(hooksFile, hook.event, hook.group, 0))}]`);
    lines.push(`trusted_hash = ${toml(codexHookHash(hook.event, hook.matcher, hook))}`, '');
  }
  return `${lines.join('\n')}\n`;
}

/** A TOML basic string (JSON's escapes are TOML's). */
function toml(text: string): string {
  return JSON.stringify(text);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function readJson(file: string): Record<string, unknown> | null {
  const text = readText(file);
  if (!text.trim()) return null;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

