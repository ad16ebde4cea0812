// The only module that knows how to kill an agent's processes: signal its process group (one
// setsid group per agent) and sweep /proc for stragglers that left the group but still carry the
// agent's environment marker. Reads /proc directly: kill(pid, 0) calls a zombie alive.

import { readdirSync, readFileSync } from 'node:fs';

/** SIGSTOP and SIGCONT pause and continue a tree with the supervisor (Ctrl-Z, `fg`). */
export type KillSignal = 'SIGTERM' | 'SIGKILL' | 'SIGSTOP' | 'SIGCONT';

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

/** One look at /proc: every process's stat, and its environment read at most once, on demand. */
interface ProcSnapshot {
  procs: ProcStat[];
  environs: Map<number, Buffer | null>;
}

let snapshot: ProcSnapshot | null = null;

/**
 * The processes now. Callers within one turn of the event loop share one snapshot (50 agents
 * reaped by one SIGCHLD would otherwise read all of /proc 50 times); the next turn reads afresh,
 * so a caller that waits before looking again always sees what happened meanwhile.
 */
function currentProcesses(): ProcSnapshot {
  if (snapshot) return snapshot;
  const procs: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    const stat = procStat(pid);
    if (stat) procs.push(stat);
  }
  const fresh: ProcSnapshot = { procs, environs: new Map() };
  snapshot = fresh;
  setImmediate(() => {
    if (snapshot === fresh) snapshot = null;
  });
  return fresh;
}

/** Every process now (this one aside), as /proc shows it: shared within one turn of the event loop. */
export function processTable(): readonly ProcStat[] {
  return currentProcesses().procs;
}

/**
 * Processes of a tree that neither its group nor its marker finds (an agent's cgroup, or its
 * descendants tracked by parent pid): asked and signalled with the rest.
 */
export interface ExtraMembers {
  pids(): number[];
  signal(signal: NodeJS.Signals): void;
}

/** Forget the shared snapshot (after sending signals, the next look must be fresh). */
function forgetSnapshot(): void {
  snapshot = null;
}

let ownStart: number | undefined;

/**
 * Our own start (clock ticks since boot): a process that started earlier cannot carry a marker we
 * made, so its environment is never read. Most of /proc is skipped this way.
 */
function startOfThisProcess(): number {
  ownStart ??= procStat(process.pid)?.startTime ?? 0;
  return ownStart;
}

/** For a process started after the agents it must find (the watchdog's killer): read every environment. */
export function markersMayPredateUs(): void {
  ownStart = 0;
}

function environOf(view: ProcSnapshot, pid: number): Buffer | null {
  let environ = view.environs.get(pid);
  if (environ !== undefined) return environ;
  try {
    environ = readFileSync(`/proc/${pid}/environ`);
  } catch {
    environ = null;
  }
  view.environs.set(pid, environ);
  return environ;
}

function environHas(environ: Buffer, needle: Buffer): boolean {
  for (let at = environ.indexOf(needle); at >= 0; at = environ.indexOf(needle, at + 1)) {
    if (at === 0 || environ[at - 1] === 0) return true;
  }
  return false;
}

/** Running processes (not zombies) in the group, or carrying the marker, or among `extra`. */
export function findTree(pgid: number | null, marker: TreeMarker | null, extra?: ExtraMembers | null): number[] {
  const needle = marker ? markerBytes(marker) : null;
  const view = currentProcesses();
  const since = startOfThisProcess();
  const found: number[] = [];
  for (const stat of view.procs) {
    if (stat.state === 'Z' || stat.state === 'X') continue;
    if (pgid !== null && stat.pgid === pgid) {
      found.push(stat.pid);
      continue;
    }
    if (needle === null || stat.startTime < since) continue;
    const environ = environOf(view, stat.pid);
    if (environ && environHas(environ, needle)) found.push(stat.pid);
  }
  if (extra) for (const pid of extra.pids()) if (!found.includes(pid)) found.push(pid);
  return found;
}

/** Signal the group, then every marked straggler outside it; returns the stragglers signalled. */
export function signalTree(pgid: number | null, marker: TreeMarker | null, signal: KillSignal, extra?: ExtraMembers | null): number[] {
  if (pgid !== null) signalGroup(pgid, signal);
  extra?.signal(signal);
  const stragglers = marker ? findTree(null, marker) : [];
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
      onStuck?.(left.map((pid) => procStat(pid)).filter((stat): stat is ProcStat => stat !== null), now - started);
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
