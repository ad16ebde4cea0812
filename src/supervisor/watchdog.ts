// The watchdog's killer. The resident watchdog is a shell loop (policies/watchdog.ts) holding a pipe
// from the supervisor; when that pipe closes without `bye` (the supervisor was SIGKILLed), the loop
// execs this with the process groups it was told about (it also runs it, without exec, when the
// supervisor falls silent: SIGSTOPped). It SIGKILLs those groups and every process
// carrying the run's marker, sweeping until none is left (however long that takes), then exits.
// Kept tiny: node built-ins and kill-tree only (the store is loaded only once the kill is done, to
// record a gone supervisor's agents). argv: <marker key> [pgid...].

import { pidState } from '../core/liveness.js';
import { cgroupPids, killCgroup, RunCgroups } from './cgroup.js';
import { findTree, markersMayPredateUs, signalTree } from './kill-tree.js';

// Signals that reach our group must not kill us before we have done our job (the shell ignored
// them too; node resets what it inherits).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);

const [markerKey, ...groupArgs] = process.argv.slice(2);
const groups = groupArgs.map(Number).filter((pgid) => Number.isInteger(pgid) && pgid > 1);
// The run's cgroup, when it has one: everything of every agent is in it.
const cgroup = process.env.AGENTVISOR_WATCHDOG_CGROUP || null;
// We started after the agents: their environments must be read even though they are older than us.
markersMayPredateUs();

async function killEverything(): Promise<void> {
  const marker = markerKey ? { key: markerKey } : null;
  // A process may fork while we kill: sweep until a pass finds nothing. No time limit: the run's
  // locks name us and stay alive while we live (up to their lease), so we leave only once nothing
  // of the agents runs; after two seconds (what survives SIGKILL waits on the kernel) calmly.
  const calmAfter = Date.now() + 2_000;
  for (;;) {
    killCgroup(cgroup);
    for (const pgid of groups) signalTree(pgid, null, 'SIGKILL');
    signalTree(null, marker, 'SIGKILL');
    const left = groups.flatMap((pgid) => findTree(pgid, null)).concat(findTree(null, marker), cgroupPids(cgroup));
    if (left.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, Date.now() < calmAfter ? 20 : 1_000));
  }
}

/**
 * When the supervisor is gone (not merely stopped: then it says what happened itself), record its
 * agents as stopped, reason "supervisor gone", so that status_board.json stops showing them
 * running. We are the watchdog those entries name: we count as gone, since we exit next. Best
 * effort, bounded: the kill is what matters.
 */
async function recordSupervisorGone(): Promise<void> {
  const dir = process.env.AGENTVISOR_WATCHDOG_DIR;
  const [pid, start] = (process.env.AGENTVISOR_WATCHDOG_SUPERVISOR ?? '').split(':').map(Number);
  if (!dir || !pid || pidState(pid, Number.isFinite(start) ? start : null) !== 'dead') return;
  const { FileStore } = await import('../core/fs-store/file-store.js');
  const store = new FileStore({ dir, busyTimeoutMs: 2_000 });
  try {
    await store.cleanupAgents({ exiting: process.pid });
  } finally {
    await store.close();
  }
}

void killEverything()
  .then(() => {
    // The supervisor cannot remove its cgroups now; they are empty: remove them.
    if (cgroup) RunCgroups.remove(cgroup);
  })
  .then(() => recordSupervisorGone())
  .catch(() => undefined)
  .then(() => process.exit(0));
