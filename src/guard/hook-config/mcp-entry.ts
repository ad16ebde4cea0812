// `init --claude|--codex|--gemini`: the agentvisor MCP server and the message hook registered beside
// the guard for sessions started by hand. Claude Code: .mcp.json, approved and its tools allowed in
// .claude/settings.json; Gemini CLI: mcpServers in .gemini/settings.json (trusted); Codex: a
// [mcp_servers.agentvisor] table in .codex/config.toml, given agentvisor's variables by name.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENTVISOR_VARIABLES } from '../wiring/hooks.js';
import { isObject, type Json } from './json-settings.js';

export interface McpServerEntry {
  command: string;
  args: string[];
}

/** The project's own node_modules/.bin/agentvisor when there is one, else this installation. */
export function mcpServerFor(root: string): McpServerEntry {
  const local = join(root, 'node_modules', '.bin', 'agentvisor');
  if (existsSync(local)) return { command: local, args: ['mcp'] };
  return { command: process.execPath, args: [fileURLToPath(new URL('../../cli/bin.js', import.meta.url)), 'mcp'] };
}

/** The message hook's command from the guard's (`... guard` → `... inbox --hook`); null when not derivable. */
export function messageHookCommandFor(guardCommand: string): string | null {
  const match = /^(.*\S)\s+guard$/.exec(guardCommand.trim());
  return match ? `${match[1]} inbox --hook` : null;
}

/** Whether a hook command is (an earlier version of) agentvisor's message hook. */
export function isMessageHookCommand(command: string): boolean {
  return /(agentvisor|cli\/bin\.js)['"]?\s+inbox\s+--hook\b/.test(command);
}

/** settings.mcpServers.agentvisor set (the same object back when it already is). */
export function withMcpServer(settings: Json, server: Json): Json {
  const servers = isObject(settings.mcpServers) ? settings.mcpServers : {};
  if (JSON.stringify(servers.agentvisor) === JSON.stringify(server)) return settings;
  return { ...settings, mcpServers: { ...servers, agentvisor: server } };
}

/** `value` added to the array at settings[key] (or settings[key][sub]); the same object when present. */
export function withListItem(settings: Json, path: [string] | [string, string], value: string): Json {
  const [key, sub] = path;
  const holder = sub === undefined ? settings : isObject(settings[key]) ? (settings[key] as Json) : {};
  const list = holder[sub ?? key];
  const items = Array.isArray(list) ? list : [];
  if (items.includes(value)) return settings;
  if (sub === undefined) return { ...settings, [key]: [...items, value] };
  return { ...settings, [key]: { ...holder, [sub]: [...items, value] } };
}

/** The text of .codex/config.toml with the agentvisor MCP server, or null when it has one already. */
export function codexConfigWithMcp(file: string, server: McpServerEntry): string | null {
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (/^\s*\[mcp_servers\.agentvisor\]/m.test(existing)) return null;
  const toml = (text: string): string => JSON.stringify(text);
  const block = [
    '[mcp_servers.agentvisor]',
    `command = ${toml(server.command)}`,
    `args = [${server.args.map(toml).join(', ')}]`,
    `env_vars = [${AGENTVISOR_VARIABLES.map(toml).join(', ')}]`,
    'default_tools_approval_mode = "approve"',
    '',
  ].join('\n');
  return `${existing}${existing && !existing.endsWith('\n') ? '\n' : ''}${existing ? '\n' : ''}${block}`;
}
