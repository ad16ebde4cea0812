// The only module that knows how to kill an agent's processes: signal its process group (one
// setsid group per agent) and sweep /proc for stragglers that left the group but still carry the
// agent's environment marker. Reads /proc directly: kill(pid, 0) calls a zombie alive.

import { readdirSync, readFileSync } from 'node:fs';

export type KillSignal = 'SIGTERM' | 'SIGKILL';

/** The environment variable that marks every process of one agent of one run (inherited by all). */
export interface TreeMarker {
  /** Unique per run: `AGENTVISOR_RUN_<runId>`. */
  key: string;
  /** The agent id; undefined matches every agent of the run (the watchdog's sweep). */
  value?: string;
}

export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgid: number;
  /** Clock ticks since boot (field 22): tells a reused pid apart. */
  startTime: number;
}

/** Parse /proc/PID/stat; null when the process does not exist. */
export function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    startTime: Number(fields[19]),
  };
}

/** Alive and not a zombie (a zombie has exited; only its exit status waits to be read). */
export function isRunning(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

/** Send a signal to a whole process group; false when the group is already empty. */
export function signalGroup(pgid: number, signal: KillSignal | NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function markerBytes(marker: TreeMarker): Buffer {
  return Buffer.from(marker.value === undefined ? `${marker.key}=` : `${marker.key}=${marker.value}\0`);
}

function environHas(pid: number, needle: Buffer): boolean {
  let environ: Buffer;
  try {
    environ = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return false;
  }
  for (let at = environ.indexOf(needle); at >= 0; at = environ.indexOf(needle, at + 1)) {
    if (at === 0 || environ[at - 1] === 0) return true;
  }
  return false;
}

function allPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) pids.push(pid);
  }
  return pids;
}

/** Running processes (not zombies) in the group, or carrying the marker. */
export function findTree(pgid: number | null, marker: TreeMarker | null): number[] {
  const needle = marker ? markerBytes(marker) : null;
  const found: number[] = [];
  for (const pid of allPids()) {
    const stat = procStat(pid);
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    if ((pgid !== null && stat.pgid === pgid) || (needle !== null && environHas(pid, needle))) found.push(pid);
  }
  return found;
}

/** Signal the group, then every marked straggler outside it; returns the stragglers signalled. */
export function signalTree(pgid: number | null, marker: TreeMarker | null, signal: KillSignal): number[] {
  if (pgid !== null) signalGroup(pgid, signal);
  const stragglers = marker ? findTree(null, marker) : [];
  for (const pid of stragglers) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
  return stragglers;
}

export interface KillTreeOptions {
  /** Give up waiting for the tree to vanish after this long (a D-state process may linger). */
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * SIGKILL everything left of an agent (its group and marked stragglers) and wait until none of it
 * runs, so its locks are released only once nothing of it can still write. Idempotent.
 * Resolves with the pids that were still running when called.
 */
export async function killTree(pgid: number | null, marker: TreeMarker | null, options: KillTreeOptions = {}): Promise<number[]> {
  const { timeoutMs = 2_000, intervalMs = 5 } = options;
  const initial = findTree(pgid, marker);
  if (initial.length === 0) return [];
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    signalTree(pgid, marker, 'SIGKILL');
    if (findTree(pgid, marker).length === 0 || performance.now() > deadline) return initial;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
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
