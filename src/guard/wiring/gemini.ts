// Gemini CLI, wired through the environment: GEMINI_CLI_HOME names a private home whose .gemini/
// holds the user's own settings.json plus the guard (BeforeTool on file writes), the message hook
// (AfterTool, BeforeAgent) and the agentvisor MCP server, trusted (no confirmation) and given
// agentvisor's variables by name (`$NAME`, which Gemini CLI expands from its own environment); every
// other entry of the user's ~/.gemini (logins, trusted folders, chats) is linked, not copied. Not a
// system settings file (GEMINI_CLI_SYSTEM_SETTINGS_PATH): Gemini CLI skips one under a directory
// that others may write to, such as /tmp.

import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GEMINI_MATCHER, HOOK_TIMEOUT_S } from '../hook-command.js';
import { MESSAGE_HOOK_TIMEOUT_S, type WiringChoice } from './claude.js';
import { variablesSet, type HookCommands } from './hooks.js';
import { isObject } from '../hook-config/json-settings.js';

export const GEMINI_HOME_VARIABLE = 'GEMINI_CLI_HOME';

/** The user's .gemini folder: under GEMINI_CLI_HOME, else HOME. */
export function userGeminiDir(env: Record<string, string | undefined>): string | null {
  const home = env[GEMINI_HOME_VARIABLE] || env.HOME;
  return home ? join(home, '.gemini') : null;
}

/** The user's settings with agentvisor's hooks and MCP server added. */
export function geminiSettings(hooks: HookCommands, choice: WiringChoice, env: Record<string, string | undefined>): Record<string, unknown> {
  const user = userGeminiDir(env);
  const base = user ? readBase(join(user, 'settings.json')) : {};
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

/** Fill `home` (a new private folder): .gemini/settings.json and links to the rest of the user's .gemini. */
export function writeGeminiHome(home: string, settings: Record<string, unknown>, env: Record<string, string | undefined>): Record<string, string> {
  const dir = join(home, '.gemini');
  mkdirSync(dir, { mode: 0o700 });
  const user = userGeminiDir(env);
  for (const name of user && existsSync(user) ? readdirSync(user) : []) {
    if (name !== 'settings.json') symlinkSync(join(user!, name), join(dir, name));
  }
  writeFileSync(join(dir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  return { [GEMINI_HOME_VARIABLE]: home };
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

