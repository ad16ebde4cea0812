// `agentvisor mcp`: the Model Context Protocol server on stdio, acting as one agent on the store the
// environment names. The MCP SDK is loaded here only (the hot-path commands never pay for it).

import { readFileSync } from 'node:fs';
import { clientAgentId, findClientProcess } from '../../core/client-process.js';
import { resolveAgentId, validateAgentId } from '../../core/ids.js';
import { openStore } from '../../core/open-store.js';
import { DEFAULT_HEARTBEAT_MS, LEASE_HEARTBEATS, ownerFromEnvironment } from '../../core/ownership.js';
import type { LockOwner } from '../../core/store.js';
import { AGENT_OPTION, stringOption } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { locate, storeOptions } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { warn } from '../output.js';

export const command: CommandSpec = {
  name: 'mcp',
  summary: 'Serve the lock, message and handoff tools to an agent client over MCP (stdio).',
  usage: 'mcp [--agent ID]',
  details: `A Model Context Protocol server on stdin/stdout with the tools lock, unlock, check, status,
send, inbox and request_handoff, acting as --agent, else AGENT_ID, else the agent client it runs
under (<name>-<pid>-<start>, the id the guard hook of the same session uses), on the store the
environment names (AGENTVISOR_DIR, AGENTVISOR_STORE). \`agentvisor run\` registers it in every claude,
codex and gemini agent by itself; for a session started by hand, \`agentvisor init --claude\`
(--codex, --gemini) registers it beside the guard, or register it yourself:

  Claude Code:  claude mcp add agentvisor -- agentvisor mcp
                (or .mcp.json: {"mcpServers": {"agentvisor": {"command": "agentvisor", "args": ["mcp"]}}})
  Codex:        codex mcp add agentvisor -- agentvisor mcp
                (or ~/.codex/config.toml: [mcp_servers.agentvisor] command = "agentvisor", args = ["mcp"],
                 env_vars = ["AGENT_ID", "AGENTVISOR_DIR", "AGENTVISOR_ROOT", "AGENTVISOR_STORE"])
  Gemini CLI:   gemini mcp add agentvisor agentvisor mcp
                (or .gemini/settings.json: {"mcpServers": {"agentvisor": {"command": "agentvisor", "args": ["mcp"]}}})

Inside an agent started by run or exec, the locks it takes are the agent's (the supervisor renews
and releases them). Otherwise the server keeps them: renewed every heartbeat, released when its
stdin closes or it gets SIGTERM.

Exit codes: 0 stdin closed or SIGTERM; 2 malformed id; 1 the store cannot be opened.`,
  options: { agent: AGENT_OPTION },
  // Served, released and closed: nothing is left to wait for (stdin may stay open under a client).
  exitWhenDone: true,
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const place = locate(ctx);
  const agentId = mcpAgentId(ctx);
  const supervised = ctx.env.AGENTVISOR_SUPERVISOR !== undefined && ctx.env.AGENTVISOR_SUPERVISOR !== '';
  const heartbeatMs = heartbeat(ctx.env);
  const owner: LockOwner = supervised ? ownerFromEnvironment(ctx.env, 'cli') : { pid: process.pid, leaseMs: LEASE_HEARTBEATS * heartbeatMs };
  const store = await openStore(storeOptions(place));
  const { serveMcp } = await import('../../mcp/server.js');
  try {
    await serveMcp({
      store,
      agentId,
      root: place.root,
      owner,
      supervised,
      heartbeatMs,
      version: packageVersion(),
      stdin: ctx.stdin,
      stdout: ctx.stdout,
      say: (line) => warn(ctx.stderr, line),
      signal: ctx.signal,
    });
  } finally {
    await store.close();
  }
  if (ctx.signal.aborted) return ctx.signal.reason === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
  return EXIT.ok;
}

/** --agent, else AGENT_ID, else the client process this server runs under, else unknown_agent. */
function mcpAgentId(ctx: CommandContext): string {
  const given = stringOption(ctx.args, 'agent');
  if (given !== undefined) return validateAgentId(given, '--agent');
  if (ctx.env.AGENT_ID) return validateAgentId(ctx.env.AGENT_ID, 'AGENT_ID');
  const client = findClientProcess(ctx.env);
  if (client) return clientAgentId(client);
  return resolveAgentId(undefined, { env: ctx.env, warn: (message) => warn(ctx.stderr, message) });
}

function heartbeat(env: NodeJS.ProcessEnv): number {
  const raw = Number(env.AGENTVISOR_HEARTBEAT_MS);
  return Number.isInteger(raw) && raw > 0 ? raw : DEFAULT_HEARTBEAT_MS;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
