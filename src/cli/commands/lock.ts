// `agentvisor lock`: take locks on paths or globs, all or nothing; optionally wait in line for them.

import { formatDuration, parseDuration } from '../../core/duration.js';
import { ownerFromEnvironment } from '../../core/ownership.js';
import type { ConflictRecord, LockMode, LockRecord } from '../../core/records.js';
import type { AcquireResult, WaitInfo } from '../../core/store.js';
import { AGENT_OPTION, LOCK_PATHS_ARGUMENT, flag, stringOption } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { actingAgent, locate, lockPaths, proceeding, withStore } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { code, describeConflict, formatClock, warn, writeJson, writeLines } from '../output.js';

/** How often a waiting lock says what it waits for (the contract asks for at least every 10 s). */
const WAIT_REPORT_MS = 5_000;

/** The value `--wait` takes when given alone: wait in line with no deadline. */
const FOREVER = 'forever';

export const command: CommandSpec = {
  name: 'lock',
  summary: 'Acquire locks on paths or globs, all or nothing.',
  usage: 'lock P... [--agent ID] [--shared] [--wait [D]] [--ttl D] [--json]',
  details: `A path naming an existing directory locks the directory and everything under it.
Outside an agent started by \`agentvisor run\`/\`exec\`, the lock outlives this command: release it
with \`agentvisor unlock\`; it goes stale after 1 hour (or after --ttl).
--wait takes its duration only from the next word when that starts with a digit:
write \`lock P --wait\` or \`lock --wait 30s P\`.

Exit codes: 0 taken; 3 conflict, or --wait ran out (the holders on stderr; conflict records on
stdout with --json); 2 malformed id, path, glob or duration (nothing is taken or written);
1 the store stayed busy (a process stopped inside its critical section: the message names it).

Examples:
  agentvisor lock 'src/api/**' --agent api
  agentvisor lock src/types/ --shared --wait 30s`,
  options: {
    agent: AGENT_OPTION,
    shared: { type: 'boolean', description: 'Shared (read) lock: may overlap other shared locks only' },
    wait: { type: 'string', valueName: '[D]', bareValue: FOREVER, description: 'Wait in line for the paths: forever, or at most D' },
    ttl: { type: 'string', valueName: 'D', description: 'The lock goes stale after D, whatever else' },
    json: { type: 'boolean', description: 'Print lock records (or conflict records) as JSON on stdout' },
  },
  positionals: [LOCK_PATHS_ARGUMENT],
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const place = locate(ctx);
  const agentId = actingAgent(ctx);
  const paths = lockPaths(ctx, place, ctx.args.positionals);
  const wait = waitOption(stringOption(ctx.args, 'wait'));
  const ttl = stringOption(ctx.args, 'ttl');
  const ttlMs = ttl === undefined ? undefined : parseDuration(ttl, '--ttl', { allowZero: false });
  const mode: LockMode = flag(ctx.args, 'shared') ? 'shared' : 'exclusive';
  const json = flag(ctx.args, 'json');
  proceeding(ctx);

  return withStore(place, async (store) => {
    const result = await store.acquire({
      agentId,
      paths: paths.map((path) => ({ path, mode })),
      owner: ownerFromEnvironment(ctx.env, 'cli'),
      ...wait,
      ttlMs,
      onWait: (info) => warn(ctx.stderr, waitingLine(paths, info)),
      waitReportMs: WAIT_REPORT_MS,
      signal: ctx.signal,
    });
    if (result.granted) {
      if (json) writeJson(ctx.stdout, result.locks);
      else writeLines(ctx.stdout, result.locks.map((l) => `locked ${code(l.file_path)} for ${l.agent_id} (${l.mode}, token ${l.token}${l.expires_at ? `, expires ${formatClock(l.expires_at)}` : ''})`));
      return EXIT.ok;
    }
    return refused(ctx, result, await store.listLocks(), json, stringOption(ctx.args, 'wait'));
  });
}

function waitOption(value: string | undefined): { wait: boolean; timeoutMs?: number } {
  if (value === undefined) return { wait: false };
  if (value === FOREVER) return { wait: true };
  return { wait: true, timeoutMs: parseDuration(value, '--wait') };
}

function waitingLine(paths: string[], info: WaitInfo): string {
  const blockers = info.conflicts.map((c) => `${c.locked_by ?? 'another agent'}'s ${code(c.lock_path ?? c.file_path)}${c.since ? ` (since ${formatClock(c.since)})` : ''}`);
  const unique = [...new Set(blockers)];
  return `waiting for ${paths.map(code).join(', ')} (${formatDuration(info.waitedMs)} so far): blocked by ${unique.join(', ') || 'earlier requests'}`;
}

function refused(
  ctx: CommandContext,
  result: Extract<AcquireResult, { granted: false }>,
  locks: LockRecord[],
  json: boolean,
  waited: string | undefined,
): number {
  if (result.reason === 'aborted') {
    warn(ctx.stderr, 'interrupted while waiting: nothing was locked');
    return ctx.signal.reason === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
  }
  if (result.reason === 'timeout') {
    warn(ctx.stderr, `gave up waiting after ${waited ?? 'the --wait time'}: nothing was locked`);
  }
  for (const conflict of result.conflicts) warn(ctx.stderr, describeConflict(conflict, locks));
  if (json) writeJson(ctx.stdout, result.conflicts satisfies ConflictRecord[]);
  return EXIT.conflict;
}
