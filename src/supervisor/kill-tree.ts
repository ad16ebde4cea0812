// The only module that knows how to kill an agent's processes: signal its process group (one
// setsid group per agent), then sweep for stragglers that left the group: its session, the
// descendants of both, and (where the system shows environments) the agent's marker variable.
// Which processes exist, and their states, come from src/platform/ (/proc on Linux, ps elsewhere):
// kill(pid, 0) calls a zombie alive.

import { findTree as findGroupTree, forgetSnapshot, processRow, type ProcessRow, type TreeMarker } from '../platform/processes.js';

export { markersMayPredateUs, processTable, type TreeMarker } from '../platform/processes.js';

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
 * Processes of a tree that neither its group, its session nor its marker finds (an agent's cgroup,
 * or its descendants tracked by parent pid since it started): asked and signalled with the rest.
 */
export interface ExtraMembers {
  pids(): number[];
  signal(signal: NodeJS.Signals): void;
}

/** Running processes of the tree: its group, session, their descendants, marked ones, and `extra`. */
export function findTree(pgid: number | null, marker: TreeMarker | null, extra?: ExtraMembers | null): number[] {
  const found = pgid !== null || marker ? findGroupTree(pgid, marker) : [];
  if (extra) for (const pid of extra.pids()) if (!found.includes(pid)) found.push(pid);
  return found;
}

/**
 * Signal the group, then every straggler outside it; returns the processes signalled. The tree is
 * looked at first: a descendant is found by its parent only while that parent lives.
 */
export function signalTree(pgid: number | null, marker: TreeMarker | null, signal: KillSignal, extra?: ExtraMembers | null): number[] {
  const stragglers = findTree(pgid, marker, extra);
  if (pgid !== null) signalGroup(pgid, signal);
  extra?.signal(signal);
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
  /** Members of the tree its group and marker miss (its cgroup, tracked descendants). */
  extra?: ExtraMembers | null;
}

/**
 * SIGKILL everything left of an agent (its group and marked stragglers) and wait until none of it
 * runs, so its locks are released only once nothing of it can still write. Never gives up: a
 * process that survives SIGKILL keeps the caller waiting (and its locks held), said through
 * `onStuck`. Idempotent. Resolves with the pids that were still running when called.
 */
export async function killTree(pgid: number | null, marker: TreeMarker | null, options: KillTreeOptions = {}): Promise<number[]> {
  const { intervalMs = 5, stuckAfterMs = 2_000, stuckEveryMs = 10_000, onStuck, extra } = options;
  const initial = findTree(pgid, marker, extra);
  if (initial.length === 0) return [];
  const started = performance.now();
  let nextReport = started + stuckAfterMs;
  for (;;) {
    signalTree(pgid, marker, 'SIGKILL', extra);
    const left = findTree(pgid, marker, extra);
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
export async function waitTreeGone(pgid: number | null, marker: TreeMarker | null, deadline: () => number, intervalMs = 20, extra?: ExtraMembers | null): Promise<boolean> {
  for (;;) {
    if (findTree(pgid, marker, extra).length === 0) return true;
    if (performance.now() >= deadline()) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
