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
It also removes the private client folders (a codex agent's CODEX_HOME, a gemini agent's GEMINI_CLI_HOME)
that a killed run left in the temp dir.
--json prints {"reclaimed": N, "locks": [lock records], "private_dirs_removed": [folders]}.

Exit codes: 0.`,
  options: {
    json: { type: 'boolean', description: 'Print the count and the reclaimed lock records as JSON' },
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const place = locate(ctx);
  const reclaimed: LockRecord[] = storeExists(place) ? await withStore(place, (store) => store.cleanupStale()) : [];
  // A private CODEX_HOME (or Gemini CLI settings) that a killed run left behind.
  const { removeOrphanedPrivateDirs } = await import('../../guard/wiring/private-dir.js');
  const removed = removeOrphanedPrivateDirs();
  if (flag(ctx.args, 'json')) {
    writeJson(ctx.stdout, { reclaimed: reclaimed.length, locks: reclaimed, private_dirs_removed: removed });
    return EXIT.ok;
  }
  writeLines(ctx.stdout, [
    `reclaimed ${reclaimed.length} stale lock${reclaimed.length === 1 ? '' : 's'}`,
    ...reclaimed.map((l) => `  ${code(l.file_path)} of ${l.agent_id} (token ${l.token}, last heartbeat ${formatClock(l.heartbeat)})`),
    ...(removed.length ? [`removed ${removed.length} private client folder${removed.length === 1 ? '' : 's'} left by killed runs`, ...removed.map((d) => `  ${d}`)] : []),
  ]);
  return EXIT.ok;
}
