// `agentvisor run`: load agents.config.json, pick the agents (`--agents` adds what they depend on),
// and supervise them; the exit code follows the contract's order of precedence.

import { findConfigFile, noConfigMessage } from '../../config/find.js';
import { loadConfig } from '../../config/load.js';
import { overlapNotice } from '../../config/owns-overlaps.js';
import { formatProblem } from '../../config/problems.js';
import type { AgentsConfig } from '../../config/types.js';
import { parseDuration } from '../../core/duration.js';
import { AgentvisorError } from '../../core/errors.js';
import { coordinationDir } from '../../core/location.js';
import type { AgentSpec } from '../../config/types.js';
import { wireClient } from '../../guard/wiring/index.js';
import type { InjectedSpawn } from '../../supervisor/policies/guard-hook.js';
import type { SpawnRequest } from '../../supervisor/spawn.js';
import { parseLogFormat, parseOnConflict, superviseFromCli } from '../../supervisor/cli-run.js';
import { flag, stringOption } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { storeTarget } from '../context.js';
import { DEFAULT_PORT, parsePort } from '../../dashboard/options.js';
import { EXIT } from '../exit-codes.js';
import { warn, writeLines } from '../output.js';

export const command: CommandSpec = {
  name: 'run',
  summary: 'Launch every agent of agents.config.json: locks first, heartbeats, messages, crash-safe cleanup, a summary at the end.',
  usage: 'run [--config F] [--agents a,b] [--on-conflict wait|fail] [--lock-timeout D] [--timeout D] [--kill-others-on-fail] [--log-format pretty|json] [--dashboard [N]]',
  details: `Each agent takes its owns (exclusive) and reads (shared) locks, all or nothing, before its
first line runs; the supervisor renews them every heartbeatMs and releases them once the agent and
everything it started are gone. Agents' output goes to stdout, each line prefixed [id]; each agent's
log is kept in <coordination dir>/logs/<id>.log; agentvisor's own lines go to stderr.

--agents a,b runs those agents and the agents they depend on (directly or not).
Two agents whose owns overlap (and whom no dependsOn orders) run one after the other in config
order: the later one waits for the earlier one's locks; each such pair is named in one line at the
start. --on-conflict fail (or "onConflict": "fail") makes such a pair a config error (exit 2).
--dashboard [N] serves the live dashboard on 127.0.0.1:N (default 7300; 0 picks a free port) for
the length of the run, attached to it (stop and restart work on its agents); its URL, with the
token that actions need, is printed on stderr as \`dashboard: http://127.0.0.1:N/?token=TOKEN\`.
A busy port exits 1 before anything starts. --dashboard takes a value only when it starts with a digit.
SIGINT/SIGTERM: SIGTERM to every agent's process group, SIGKILL after shutdownGraceMs; a second
Ctrl-C kills at once.

Exit codes, the first that applies: 2 config error (nothing started); 3 lock conflict or lock
timeout; 124 --timeout reached; 130/143 SIGINT/SIGTERM; 1 an agent failed (non-zero exit, killed,
its own timeoutMs, lost its lease, or skipped because a dependency failed) unless allowFailure;
0 otherwise (an agent that failed and then succeeded on restart counts as success).`,
  options: {
    config: { type: 'string', valueName: 'F', description: 'The config file (default: the nearest agents.config.json upward)' },
    agents: { type: 'string', valueName: 'a,b', description: 'Run only these agents (and what they depend on)' },
    'on-conflict': { type: 'string', valueName: 'wait|fail', description: "Override the config's onConflict" },
    'lock-timeout': { type: 'string', valueName: 'D', description: "Override the config's lockTimeoutMs" },
    timeout: { type: 'string', valueName: 'D', description: 'Stop every agent after D (exit 124)' },
    'kill-others-on-fail': { type: 'boolean', description: 'Stop every agent when one fails' },
    'log-format': { type: 'string', valueName: 'pretty|json', description: 'agentvisor log lines: pretty (default) or JSON (default when CI is set)' },
    dashboard: { type: 'string', valueName: '[N]', bareValue: String(DEFAULT_PORT), description: `Serve the live dashboard on port N (default ${DEFAULT_PORT}) while the run lasts` },
  },
  handlesSignals: true,
  // Every agent's tree is dead, its locks released and the summary written (stdout and stderr are
  // synchronous here): nothing is left to wait for but the change watcher's internal timers (~1 s).
  exitWhenDone: true,
  run,
};

/**
 * agentvisor wired into a `claude`, `codex` or `gemini` agent: the guard hook (unless `"guard":
 * false`), the MCP server (unless `"mcp": false`) and the message hook (unless its messages go to
 * stdin), through each client's own command line or environment (src/guard/wiring/).
 */
export function wireAgentClient(request: SpawnRequest, agent: AgentSpec): InjectedSpawn {
  return wireClient(request, { id: agent.id, guard: agent.guard, mcp: agent.mcp, messagesToStdin: agent.messages.to === 'stdin' });
}

/** The named agents plus, transitively, what they depend on, in config order. */
export function selectAgents(config: AgentsConfig, names: string[]): { config: AgentsConfig; added: string[] } {
  const byId = new Map(config.agents.map((a) => [a.id, a]));
  const unknown = names.filter((n) => !byId.has(n));
  if (unknown.length > 0) {
    throw new AgentvisorError('UNKNOWN_AGENT', `--agents: no agent ${unknown.map((n) => `"${n}"`).join(', ')} in ${config.file} (agents: ${[...byId.keys()].join(', ')})`, { agents: unknown });
  }
  const chosen = new Set<string>();
  const visit = (id: string): void => {
    if (chosen.has(id)) return;
    chosen.add(id);
    for (const dep of byId.get(id)?.dependsOn ?? []) visit(dep);
  };
  names.forEach(visit);
  const added = [...chosen].filter((id) => !names.includes(id));
  return { config: { ...config, agents: config.agents.filter((a) => chosen.has(a.id)) }, added };
}

function agentList(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new AgentvisorError('INVALID_ARGUMENT', '--agents needs at least one agent id (a,b)', { option: '--agents' });
  return names;
}

function optionalDuration(ctx: CommandContext, name: string): number | undefined {
  const value = stringOption(ctx.args, name);
  return value === undefined ? undefined : parseDuration(value, `--${name}`, { allowZero: false });
}

async function run(ctx: CommandContext): Promise<number> {
  const logFormat = parseLogFormat(stringOption(ctx.args, 'log-format'));
  const onConflict = parseOnConflict(stringOption(ctx.args, 'on-conflict'));
  const lockTimeoutMs = optionalDuration(ctx, 'lock-timeout');
  const timeoutMs = optionalDuration(ctx, 'timeout');
  const names = agentList(stringOption(ctx.args, 'agents'));
  const dashboardValue = stringOption(ctx.args, 'dashboard');
  const dashboardPort = dashboardValue === undefined ? undefined : parsePort(dashboardValue, '--dashboard');
  const file = findConfigFile({ cwd: ctx.cwd, env: ctx.env, config: stringOption(ctx.args, 'config') });
  if (file === null) {
    warn(ctx.stderr, noConfigMessage(ctx.cwd));
    return EXIT.badInput;
  }
  const loaded = loadConfig(file, { env: ctx.env, cwd: ctx.cwd, ...(onConflict ? { onConflict } : {}) });
  if (!loaded.config) {
    writeLines(ctx.stderr, loaded.problems.map((p) => formatProblem(p, ctx.cwd)));
    warn(ctx.stderr, 'nothing was started');
    return EXIT.badInput;
  }
  let config = loaded.config;
  const overlaps = loaded.overlaps ?? [];
  if (names) {
    const selected = selectAgents(config, names);
    config = selected.config;
    if (selected.added.length > 0) warn(ctx.stderr, `also running ${selected.added.join(', ')}: ${names.join(', ')} depend${names.length === 1 ? 's' : ''} on ${selected.added.length === 1 ? 'it' : 'them'}`);
  }
  const running = new Set(config.agents.map((a) => a.id));
  for (const o of overlaps) if (running.has(o.earlier) && running.has(o.later)) warn(ctx.stderr, formatProblem(overlapNotice(config.file, o), ctx.cwd));
  const dir = coordinationDir({ cwd: ctx.cwd, env: ctx.env, dir: stringOption(ctx.args, 'dir'), root: config.root });
  const { result } = await superviseFromCli({
    config,
    dir,
    target: storeTarget(ctx, config.root, { store: config.store, scope: config.scope }),
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    env: ctx.env,
    logFormat,
    onConflict,
    lockTimeoutMs,
    timeoutMs: timeoutMs ?? null,
    killOthersOnFail: flag(ctx.args, 'kill-others-on-fail'),
    summary: true,
    extra: { guard: wireAgentClient },
    ...(dashboardPort === undefined
      ? {}
      : {
          beforeRun: async (store, log) => {
            // Loaded only here: a run without --dashboard never loads the server (test/cli/hot-path.test.ts).
            const { startRunDashboard } = await import('../../dashboard/run-dashboard.js');
            return startRunDashboard({ store, dir, port: dashboardPort, log, stderr: ctx.stderr });
          },
        }),
  });
  return result.exitCode;
}
