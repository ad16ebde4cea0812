// The only module that knows how to kill an agent's processes: signal its process group (one
// setsid group per agent), then sweep for stragglers that left the group: its session, the
// descendants of both, and (where the system shows environments) the agent's marker variable.
// Which processes exist, and their states, come from src/platform/ (/proc on Linux, ps elsewhere):
// kill(pid, 0) calls a zombie alive.

import { findTree, forgetSnapshot, processRow, type ProcessRow, type TreeMarker } from '../platform/processes.js';

export { findTree, markersMayPredateUs, type TreeMarker } from '../platform/processes.js';

/** SIGSTOP and SIGCONT pause and continue a tree with the supervisor (Ctrl-Z, `fg`). */
export type KillSignal = 'SIGTERM' | 'SIGKILL' | 'SIGSTOP' | 'SIGCONT';

export type ProcStat = ProcessRow;

/** Send a signal to a whole process group; false when the group is already empty. */
export function signalGroup(pgid: number, signal: KillSignal | NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Signal the group, then every straggler outside it; returns the processes signalled. The tree is
 * looked at first: a descendant is found by its parent only while that parent lives.
 */
export function signalTree(pgid: number | null, marker: TreeMarker | null, signal: KillSignal): number[] {
  const stragglers = pgid !== null || marker ? findTree(pgid, marker) : [];
  if (pgid !== null) signalGroup(pgid, signal);
  for (const pid of stragglers) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
  forgetSnapshot();
  return stragglers;
}

export interface KillTreeOptions {
  intervalMs?: number;
  /** Told when the tree still runs this long after the first SIGKILL, then every `stuckEveryMs`. */
  stuckAfterMs?: number;
  stuckEveryMs?: number;
  /** What survives SIGKILL (state D: waiting on the kernel; or a process we may not signal). */
  onStuck?: (left: ProcStat[], waitedMs: number) => void;
}

/**
 * SIGKILL everything left of an agent (its group and marked stragglers) and wait until none of it
 * runs, so its locks are released only once nothing of it can still write. Never gives up: a
 * process that survives SIGKILL keeps the caller waiting (and its locks held), said through
 * `onStuck`. Idempotent. Resolves with the pids that were still running when called.
 */
export async function killTree(pgid: number | null, marker: TreeMarker | null, options: KillTreeOptions = {}): Promise<number[]> {
  const { intervalMs = 5, stuckAfterMs = 2_000, stuckEveryMs = 10_000, onStuck } = options;
  const initial = findTree(pgid, marker);
  if (initial.length === 0) return [];
  const started = performance.now();
  let nextReport = started + stuckAfterMs;
  for (;;) {
    signalTree(pgid, marker, 'SIGKILL');
    const left = findTree(pgid, marker);
    if (left.length === 0) return initial;
    const now = performance.now();
    if (now >= nextReport) {
      onStuck?.(left.map((pid) => processRow(pid)).filter((row): row is ProcStat => row !== null), now - started);
      nextReport = now + stuckEveryMs;
    }
    // Often at first (a tree forking while we kill), then calmly: what survived seconds of SIGKILL
    // waits on the kernel, not on us.
    await new Promise((resolve) => setTimeout(resolve, now - started < stuckAfterMs ? intervalMs : 100));
  }
}

/** Wait until nothing of the tree runs or `deadline` (performance.now()) passes; true when gone. */
export async function waitTreeGone(pgid: number | null, marker: TreeMarker | null, deadline: () => number, intervalMs = 20): Promise<boolean> {
  for (;;) {
    if (findTree(pgid, marker).length === 0) return true;
    if (performance.now() >= deadline()) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
