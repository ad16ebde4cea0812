// Every process at one moment, and which of them belong to an agent: its process group, its
// session, every descendant of those by parent pid (one snapshot: /proc on Linux, one
// `ps -A -o pid=,ppid=,pgid=,sess=,stat=` on the portable path), and, where the system shows
// environments (/proc/PID/environ, Linux only), any process carrying the agent's marker variable.

import { allStats, readEnviron, readStat } from './proc.js';
import { psTable } from './ps.js';
import { isPortable } from './system.js';

export interface ProcessRow {
  pid: number;
  state: string;
  ppid: number;
  pgid: number;
  /** Session: an id on Linux, an opaque token on macOS. */
  sess: string;
  /** Clock ticks since boot when /proc was read; null on the portable path. */
  startTime: number | null;
}

/** The environment variable that marks every process of one agent of one run (inherited by all). */
export interface TreeMarker {
  /** Unique per run: `AGENTVISOR_RUN_<runId>`. */
  key: string;
  /** The agent id; undefined matches every agent of the run (the watchdog's sweep). */
  value?: string;
}

interface Snapshot {
  rows: ProcessRow[];
  environs: Map<number, Buffer | null>;
  /** Whether environments can be read (Linux, not portable). */
  environments: boolean;
}

let snapshot: Snapshot | null = null;

function takeSnapshot(): Snapshot {
  if (isPortable()) {
    const rows = (psTable() ?? []).filter((r) => r.pid !== process.pid).map((r) => ({ ...r, startTime: null }));
    return { rows, environs: new Map(), environments: false };
  }
  const rows = allStats().map((s) => ({ pid: s.pid, state: s.state, ppid: s.ppid, pgid: s.pgid, sess: String(s.sess), startTime: s.startTime }));
  return { rows, environs: new Map(), environments: true };
}

/**
 * The processes now. Callers within one turn of the event loop share one snapshot (50 agents
 * reaped by one SIGCHLD would otherwise list every process 50 times); the next turn looks afresh,
 * so a caller that waits before looking again always sees what happened meanwhile.
 */
function currentSnapshot(): Snapshot {
  if (snapshot) return snapshot;
  const fresh = takeSnapshot();
  snapshot = fresh;
  setImmediate(() => {
    if (snapshot === fresh) snapshot = null;
  });
  return fresh;
}

/** Every process now (this one aside): shared within one turn of the event loop. */
export function processTable(): readonly ProcessRow[] {
  return currentSnapshot().rows;
}

/** Forget the shared snapshot (after sending signals, the next look must be fresh). */
export function forgetSnapshot(): void {
  snapshot = null;
}

/** One process as a row, or null when it is gone (for messages about survivors). */
export function processRow(pid: number): ProcessRow | null {
  if (isPortable()) return currentSnapshot().rows.find((r) => r.pid === pid) ?? null;
  const stat = readStat(pid);
  return typeof stat === 'object' ? { pid, state: stat.state, ppid: stat.ppid, pgid: stat.pgid, sess: String(stat.sess), startTime: stat.startTime } : null;
}

let ownStart: number | undefined;

/**
 * Our own start (clock ticks since boot): a process that started earlier cannot carry a marker we
 * made, so its environment is never read. Most of /proc is skipped this way.
 */
function startOfThisProcess(): number {
  if (ownStart === undefined) {
    const stat = readStat(process.pid);
    ownStart = typeof stat === 'object' ? stat.startTime : 0;
  }
  return ownStart;
}

/** For a process started after the agents it must find (the watchdog's killer): read every environment. */
export function markersMayPredateUs(): void {
  ownStart = 0;
}

function markerBytes(marker: TreeMarker): Buffer {
  return Buffer.from(marker.value === undefined ? `${marker.key}=` : `${marker.key}=${marker.value}\0`);
}

function environHas(environ: Buffer, needle: Buffer): boolean {
  for (let at = environ.indexOf(needle); at >= 0; at = environ.indexOf(needle, at + 1)) {
    if (at === 0 || environ[at - 1] === 0) return true;
  }
  return false;
}

function carriesMarker(view: Snapshot, row: ProcessRow, needle: Buffer, since: number): boolean {
  if (row.startTime === null || row.startTime < since) return false;
  let environ = view.environs.get(row.pid);
  if (environ === undefined) view.environs.set(row.pid, (environ = readEnviron(row.pid)));
  return environ !== null && environHas(environ, needle);
}

const running = (row: ProcessRow): boolean => row.state !== 'Z' && row.state !== 'X';

/**
 * Running processes (not zombies) of the agent whose group is `pgid`: the group, its session
 * (every agent is a session leader: setsid), their descendants, and where environments can be
 * read, processes carrying `marker`.
 */
export function findTree(pgid: number | null, marker: TreeMarker | null): number[] {
  const view = currentSnapshot();
  const found = new Set<number>();
  if (pgid !== null) {
    const sessions = new Set(view.rows.filter((r) => r.pgid === pgid).map((r) => r.sess));
    // A session leader's session id is its pid on Linux (procps prints ids); macOS prints tokens.
    if (process.platform === 'linux') sessions.add(String(pgid));
    for (const row of view.rows) if (row.pgid === pgid || sessions.has(row.sess)) found.add(row.pid);
  }
  if (marker && view.environments) {
    const needle = markerBytes(marker);
    const since = startOfThisProcess();
    for (const row of view.rows) if (!found.has(row.pid) && carriesMarker(view, row, needle, since)) found.add(row.pid);
  }
  addDescendants(view.rows, found);
  return view.rows.filter((r) => found.has(r.pid) && running(r)).map((r) => r.pid);
}

/** Grow `found` by every process whose parent chain reaches it. */
function addDescendants(rows: ProcessRow[], found: Set<number>): void {
  if (found.size === 0) return;
  const children = new Map<number, number[]>();
  for (const row of rows) {
    const list = children.get(row.ppid);
    if (list) list.push(row.pid);
    else children.set(row.ppid, [row.pid]);
  }
  const todo = [...found];
  for (let pid = todo.pop(); pid !== undefined; pid = todo.pop()) {
    for (const child of children.get(pid) ?? []) {
      if (found.has(child)) continue;
      found.add(child);
      todo.push(child);
    }
  }
}
