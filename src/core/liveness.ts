// Facts about processes and the machine: host name, boot id, a pid's start time from
// /proc/PID/stat, and whether a pid is dead (gone, a zombie, or reused by another process).

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export type PidState = 'alive' | 'dead' | 'unknown';

export interface Liveness {
  host: string;
  /** /proc/sys/kernel/random/boot_id, or null where the kernel does not tell. */
  bootId: string | null;
  /** Start time (clock ticks since boot) of a live pid, or null when it is gone or unreadable. */
  processStart(pid: number): number | null;
  /** Whether `pid` still is the process that started at `pidStart` (when known). */
  pidState(pid: number, pidStart: number | null | undefined): PidState;
}

interface ProcStat {
  state: string;
  start: number;
}

/** Parse /proc/PID/stat: the command name may hold spaces and ')' so count fields after the last ')'. */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text.slice(close + 2).split(' ');
  // After ')': field 3 (state) is index 0, so field 22 (starttime) is index 19.
  const state = fields[0];
  const start = Number(fields[19]);
  if (state === undefined || !Number.isFinite(start)) return null;
  return { state, start };
}

function readProcStat(pid: number): ProcStat | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'unreadable';
  }
  return parseProcStat(text) ?? 'unreadable';
}

/** Without /proc (not Linux), existence is all we can know. */
function signalProbe(pid: number): PidState {
  try {
    process.kill(pid, 0);
    return 'alive';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'dead' : 'alive';
  }
}

export function pidState(pid: number, pidStart: number | null | undefined): PidState {
  if (!Number.isInteger(pid) || pid <= 0) return 'dead';
  const stat = readProcStat(pid);
  if (stat === 'gone') return 'dead';
  if (stat === 'unreadable') return signalProbe(pid) === 'dead' ? 'dead' : 'unknown';
  // A zombie has exited; X is a task being torn down.
  if (stat.state === 'Z' || stat.state === 'X') return 'dead';
  if (pidStart != null && stat.start !== pidStart) return 'dead';
  return 'alive';
}

export function processStart(pid: number): number | null {
  const stat = readProcStat(pid);
  return typeof stat === 'object' ? stat.start : null;
}

let cachedBootId: string | null | undefined;

export function bootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
}

let cachedHost: string | undefined;

/** The machine's hostname, or AGENTVISOR_HOST (tests run several hosts on one machine). */
export function hostName(): string {
  cachedHost ??= process.env.AGENTVISOR_HOST || hostname();
  return cachedHost;
}

export const systemLiveness: Liveness = {
  get host() {
    return hostName();
  },
  get bootId() {
    return bootId();
  },
  processStart,
  pidState,
};
