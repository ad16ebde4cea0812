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
Entries named like lock files that are not regular files (a FIFO, a directory, a symlink to a
device), which every command ignores, are removed and named.
--json prints {"reclaimed": N, "locks": [lock records]} (and "removed": [{name, what}] if any).

Exit codes: 0.`,
  options: {
    json: { type: 'boolean', description: 'Print the count and the reclaimed lock records as JSON' },
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const place = locate(ctx);
  const all: LockRecord[] = storeExists(place) ? await withStore(place, (store) => store.cleanupStale()) : [];
  const reclaimed = all.filter((l) => l.not_a_file === undefined);
  const removed = all.filter((l) => l.not_a_file !== undefined).map((l) => ({ name: l.unreadable, what: l.not_a_file }));
  if (flag(ctx.args, 'json')) {
    writeJson(ctx.stdout, { reclaimed: reclaimed.length, locks: reclaimed, ...(removed.length > 0 ? { removed } : {}) });
    return EXIT.ok;
  }
  writeLines(ctx.stdout, [
    `reclaimed ${reclaimed.length} stale lock${reclaimed.length === 1 ? '' : 's'}`,
    ...reclaimed.map((l) => `  ${code(l.file_path)} of ${l.agent_id} (token ${l.token}, last heartbeat ${formatClock(l.heartbeat)})`),
    ...removed.map((r) => `removed ${code(r.name ?? '?')}: a ${r.what}, not a lock file (every command ignored it)`),
  ]);
  return EXIT.ok;
}
