// Linux's /proc, read directly (the fast path: a few µs a look): a process's state, parents and
// start; every process; a process's environment; the boot id and boot time. Only ./liveness.ts,
// ./processes.ts and ./boot.ts call this, and never when the process is portable.

import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  /** One letter: R, S, D, T, t, Z, X, ... */
  state: string;
  ppid: number;
  pgid: number;
  /** Session id. */
  sess: number;
  /** Clock ticks since boot (field 22): tells a reused pid apart. */
  startTime: number;
}

/** Parse /proc/PID/stat: the command name may hold spaces and ')', so count fields after the last ')'. */
export function parseStat(pid: number, text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // After ')': field 3 (state) is index 0, ppid 1, pgrp 2, session 3, starttime (field 22) 19.
  const fields = text.slice(close + 2).split(' ');
  const state = fields[0];
  const startTime = Number(fields[19]);
  if (state === undefined || !Number.isFinite(startTime)) return null;
  return { pid, state, ppid: Number(fields[1]), pgid: Number(fields[2]), sess: Number(fields[3]), startTime };
}

/** One process's stat; 'gone' when there is no such process, 'unreadable' when /proc would not say. */
export function readStat(pid: number): ProcStat | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'unreadable';
  }
  return parseStat(pid, text) ?? 'unreadable';
}

/** Every process but this one. */
export function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    const stat = readStat(pid);
    if (typeof stat === 'object') stats.push(stat);
  }
  return stats;
}

/** A process's environment (NUL-separated), or null when it cannot be read. */
export function readEnviron(pid: number): Buffer | null {
  try {
    return readFileSync(`/proc/${pid}/environ`);
  } catch {
    return null;
  }
}

/** /proc/sys/kernel/random/boot_id, or null. */
export function readBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** The boot time in ms since the epoch (`btime` of /proc/stat, whole seconds), or null. */
export function readBootTimeMs(): number | null {
  try {
    const match = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return match ? Number(match[1]) * 1000 : null;
  } catch {
    return null;
  }
}
