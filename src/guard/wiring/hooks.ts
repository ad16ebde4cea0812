// The commands that the clients' hooks and MCP entries run, as this installation runs them: the
// guard (any failure of its own blocks: `|| exit 2`), the message hook (never blocks), and the MCP
// server (an argv, no shell). And the agentvisor variables a hook or an MCP server needs, by name.

import { fileURLToPath } from 'node:url';
import { blockingHookCommand } from '../hook-command.js';
import { shellJoin } from '../shell-quote.js';

export interface HookCommands {
  /** The guard as a pre-tool hook's shell command. */
  guard: string;
  /** The message hook's shell command. */
  messages: string;
  /** The MCP server: program and arguments. */
  mcp: { command: string; args: string[] };
}

/** The variables agentvisor sets for agents (contract: every agent runs with them), by name only. */
export const AGENTVISOR_VARIABLES = [
  'AGENT_ID',
  'AGENTVISOR_DIR',
  'AGENTVISOR_ROOT',
  'AGENTVISOR_SUPERVISOR',
  'AGENTVISOR_HEARTBEAT_MS',
  'AGENTVISOR_SCOPE',
  'AGENTVISOR_WATCHDOG',
  'AGENTVISOR_STORE',
  'AGENTVISOR_HOST',
  'AGENTVISOR_PORTABLE',
] as const;

/** Hooks and MCP server of this very installation: `'<node>' '<dist/cli/bin.js>' ...`. */
export function installedHookCommands(): HookCommands {
  const bin = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
  return {
    guard: blockingHookCommand(shellJoin([process.execPath, bin, 'guard'])),
    messages: shellJoin([process.execPath, bin, 'inbox', '--hook']),
    mcp: { command: process.execPath, args: [bin, 'mcp'] },
  };
}

/** Which of agentvisor's variables are set in `env` (their names; the values stay in the environment). */
export function variablesSet(env: Record<string, string | undefined>): string[] {
  return AGENTVISOR_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== '');
}
