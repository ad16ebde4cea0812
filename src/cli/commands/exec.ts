// `agentvisor exec --agent ID --owns P -- CMD ARGS...`: one command supervised like an agent of
// `run` (locks before it starts, heartbeats, messages, its whole tree killed and its locks released
// when it ends), without a config file. Its output passes through unprefixed; its exit code is
// the command's own (128 + the signal's number when a signal killed it), 3 on a lock conflict.

import type { AgentsConfig, MessageRouting } from '../../config/types.js';
import { DEFAULTS } from '../../config/defaults.js';
import { parseDuration } from '../../core/duration.js';
import { AgentvisorError } from '../../core/errors.js';
import { validateAgentId } from '../../core/ids.js';
import { parseLogFormat, parseOnConflict, superviseFromCli } from '../../supervisor/cli-run.js';
import { shellExitCode } from '../../supervisor/events.js';
import { listOption, stringOption } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { locate, lockPaths } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { wireAgentClient } from './run.js';

export const command: CommandSpec = {
  name: 'exec',
  summary: 'Run one command as an agent, with its locks, without a config file.',
  usage: 'exec --agent ID [--owns P]... [--reads P]... [--messages stdin|inbox] [--on-conflict wait|fail] [--lock-timeout D] [--heartbeat D] -- CMD ARGS...',
  details: `The locks are taken (all or nothing) before the command starts and released once it and
everything it started are gone. With --messages stdin the command reads its inbox on stdin (one
"from: message" line each); otherwise its stdin is /dev/null.

Exit codes: the command's own (128 + signal number when killed by a signal); 3 lock conflict or
lock timeout (said on stderr); 2 bad arguments; 130/143 when exec itself gets SIGINT/SIGTERM.`,
  options: {
    agent: { type: 'string', valueName: 'ID', description: 'The agent id the command runs as (else AGENT_ID)' },
    owns: { type: 'string', multiple: true, valueName: 'P', description: 'A path or glob to hold exclusively (repeatable)' },
    reads: { type: 'string', multiple: true, valueName: 'P', description: 'A path or glob to hold shared (repeatable)' },
    messages: { type: 'string', valueName: 'stdin|inbox', description: 'Deliver messages on stdin, or leave them in the inbox (default)' },
    'on-conflict': { type: 'string', valueName: 'wait|fail', description: 'Wait in line for held paths (default) or fail at once' },
    'lock-timeout': { type: 'string', valueName: 'D', description: 'Give up waiting after D (exit 3); default 10m' },
    heartbeat: { type: 'string', valueName: 'D', description: 'Lock renewal interval (default 5s; the lease is 3 intervals)' },
    'log-format': { type: 'string', valueName: 'pretty|json', description: 'agentvisor log lines: pretty or JSON (default when CI is set)' },
  },
  acceptsRest: true,
  handlesSignals: true,
  // Every agent's tree is dead, its locks released and the summary written (stdout and stderr are
  // synchronous here): nothing is left to wait for but the change watcher's internal timers (~1 s).
  exitWhenDone: true,
  run,
};

function messageRouting(value: string | undefined): MessageRouting {
  if (value === undefined || value === 'inbox') return { to: 'inbox' };
  if (value === 'stdin') return { to: 'stdin', format: 'text' };
  throw new AgentvisorError('INVALID_ARGUMENT', `--messages: "${value}" is not stdin or inbox`, { option: '--messages', value });
}

function agentId(ctx: CommandContext): string {
  const given = stringOption(ctx.args, 'agent') ?? ctx.env.AGENT_ID;
  if (given === undefined) throw new AgentvisorError('INVALID_ARGUMENT', 'exec: --agent ID is required (or AGENT_ID)', { option: '--agent' });
  return validateAgentId(given, stringOption(ctx.args, 'agent') !== undefined ? '--agent' : 'AGENT_ID');
}

async function run(ctx: CommandContext): Promise<number> {
  const argv = ctx.args.rest;
  if (argv.length === 0 || argv[0] === '') {
    throw new AgentvisorError('INVALID_ARGUMENT', `exec: no command given (usage: agentvisor ${command.usage})`);
  }
  const id = agentId(ctx);
  const logFormat = parseLogFormat(stringOption(ctx.args, 'log-format'));
  const onConflict = parseOnConflict(stringOption(ctx.args, 'on-conflict')) ?? DEFAULTS.onConflict;
  const lockTimeout = stringOption(ctx.args, 'lock-timeout');
  const heartbeat = stringOption(ctx.args, 'heartbeat');
  const place = locate(ctx);
  const owns = lockPaths(ctx, place, listOption(ctx.args, 'owns'));
  const reads = lockPaths(ctx, place, listOption(ctx.args, 'reads')).filter((p) => !owns.includes(p));
  const config: AgentsConfig = {
    file: '(exec)',
    root: place.root,
    heartbeatMs: heartbeat === undefined ? DEFAULTS.heartbeatMs : parseDuration(heartbeat, '--heartbeat', { allowZero: false }),
    onConflict,
    lockTimeoutMs: lockTimeout === undefined ? DEFAULTS.lockTimeoutMs : parseDuration(lockTimeout, '--lock-timeout'),
    shutdownGraceMs: DEFAULTS.shutdownGraceMs,
    store: null,
    scope: null,
    agents: [
      {
        id, command: argv, owns, reads, env: {}, cwd: ctx.cwd, restart: 'never', maxRestarts: 0, dependsOn: [],
        timeoutMs: null, prompt: null, messages: messageRouting(stringOption(ctx.args, 'messages')), allowFailure: false, guard: true, mcp: true,
      },
    ],
  };
  const { result } = await superviseFromCli({
    config,
    dir: place.dir,
    target: place.target,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    env: ctx.env,
    logFormat,
    summary: false,
    extra: { guard: wireAgentClient, passthroughStderr: ctx.stderr, watchChanges: false },
  });
  const report = result.agents[0]!;
  if (result.exitCode === EXIT.conflict) return EXIT.conflict;
  if (result.stopReason?.kind === 'signal') return result.exitCode;
  if (report.outcome.kind === 'succeeded') return 0;
  if ('exit' in report.outcome && report.outcome.exit) return shellExitCode(report.outcome.exit);
  return EXIT.failure;
}
