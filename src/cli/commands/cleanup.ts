// `agentvisor cleanup`: the seed's cleanup_stale_locks: reclaim stale locks and say how many.

import type { LockRecord } from '../../core/records.js';
import { flag } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { locate, storeExists, withStore } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { code, formatClock, writeJson, writeLines } from '../output.js';

export const command: CommandSpec = {
  name: 'cleanup',
  summary: 'Reclaim stale locks (dead holder, lease or TTL passed, or 1 hour without heartbeat).',
  usage: 'cleanup [--json]',
  details: `Each reclaimed lock is recorded in the board's history ('reclaimed', or 'expired' for a passed TTL).
Agents the board shows running whose supervisor and watchdog are dead (a supervisor killed with
kill -9) are recorded as stopped, reason "supervisor gone" (every reader shows them so already).
--json prints {"reclaimed": N, "locks": [lock records], "stopped_agents": [ids]}.

Exit codes: 0.`,
  options: {
    json: { type: 'boolean', description: 'Print the count and the reclaimed lock records as JSON' },
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const place = locate(ctx);
  const { reclaimed, stopped } = storeExists(place)
    ? await withStore(place, async (store) => ({ reclaimed: await store.cleanupStale(), stopped: (await store.cleanupAgents?.()) ?? [] }))
    : { reclaimed: [] as LockRecord[], stopped: [] as string[] };
  if (flag(ctx.args, 'json')) {
    writeJson(ctx.stdout, { reclaimed: reclaimed.length, locks: reclaimed, stopped_agents: stopped });
    return EXIT.ok;
  }
  writeLines(ctx.stdout, [
    `reclaimed ${reclaimed.length} stale lock${reclaimed.length === 1 ? '' : 's'}`,
    ...reclaimed.map((l) => `  ${code(l.file_path)} of ${l.agent_id} (token ${l.token}, last heartbeat ${formatClock(l.heartbeat)})`),
    ...(stopped.length > 0 ? [`recorded ${stopped.length} agent${stopped.length === 1 ? '' : 's'} as stopped (supervisor gone): ${stopped.join(', ')}`] : []),
  ]);
  return EXIT.ok;
}
