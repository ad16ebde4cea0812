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
It also removes the private client folders (a codex agent's CODEX_HOME, a gemini agent's settings)
that a killed run left in the temp dir, and entries named like lock files that are not regular
files (a FIFO, a directory, a symlink to a device), which every command ignores.
--json prints {"reclaimed": N, "locks": [lock records], "stopped_agents": [ids], "private_dirs_removed": [folders]}
(and "removed": [{name, what}] for entries that were not lock files, if any).

Exit codes: 0.`,
  options: {
    json: { type: 'boolean', description: 'Print the count and the reclaimed lock records as JSON' },
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const place = locate(ctx);
  const { all, stopped } = storeExists(place)
    ? await withStore(place, async (store) => ({ all: await store.cleanupStale(), stopped: (await store.cleanupAgents?.()) ?? [] }))
    : { all: [] as LockRecord[], stopped: [] as string[] };
  const reclaimed = all.filter((l) => l.not_a_file === undefined);
  const junk = all.filter((l) => l.not_a_file !== undefined).map((l) => ({ name: l.unreadable, what: l.not_a_file }));
  // A private CODEX_HOME (or Gemini CLI settings) that a killed run left behind.
  const { removeOrphanedPrivateDirs } = await import('../../guard/wiring/private-dir.js');
  const privateDirs = removeOrphanedPrivateDirs();
  if (flag(ctx.args, 'json')) {
    writeJson(ctx.stdout, {
      reclaimed: reclaimed.length,
      locks: reclaimed,
      stopped_agents: stopped,
      private_dirs_removed: privateDirs,
      ...(junk.length > 0 ? { removed: junk } : {}),
    });
    return EXIT.ok;
  }
  writeLines(ctx.stdout, [
    `reclaimed ${reclaimed.length} stale lock${reclaimed.length === 1 ? '' : 's'}`,
    ...reclaimed.map((l) => `  ${code(l.file_path)} of ${l.agent_id} (token ${l.token}, last heartbeat ${formatClock(l.heartbeat)})`),
    ...(stopped.length > 0 ? [`recorded ${stopped.length} agent${stopped.length === 1 ? '' : 's'} as stopped (supervisor gone): ${stopped.join(', ')}`] : []),
    ...(privateDirs.length ? [`removed ${privateDirs.length} private client folder${privateDirs.length === 1 ? '' : 's'} left by killed runs`, ...privateDirs.map((d) => `  ${d}`)] : []),
    ...junk.map((r) => `removed ${code(r.name ?? '?')}: a ${r.what}, not a lock file (every command ignored it)`),
  ]);
  return EXIT.ok;
}
