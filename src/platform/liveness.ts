// Is a pid still the process that was recorded? Dead when it is gone, a zombie, or a different
// process that reused the pid (its start differs). Linux reads /proc/PID/stat (µs a look); the
// portable path asks `ps`, a few ms a call, so it asks once for many pids (`prefetch`) and keeps an
// answer for a moment: an "alive" kept 250 ms only delays a reclaim by as much, and a recorded
// process found dead stays dead.

import { bootTimeMs } from './boot.js';
import { readStat } from './proc.js';
import { psStates, type PsRow } from './ps.js';
import { sameStart, TICKS_PER_SECOND } from './start-stamp.js';
import { isPortable } from './system.js';

export type PidState = 'alive' | 'dead' | 'unknown';

/** How long a portable answer about a pid is reused. */
const PORTABLE_ANSWER_MS = 250;

/** Without /proc and without ps, existence is all we can know (kill(pid, 0) calls a zombie alive). */
function signalProbe(pid: number): PidState {
  try {
    process.kill(pid, 0);
    return 'unknown';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'dead' : 'unknown';
  }
}

function nativeState(pid: number, start: number | null | undefined): PidState {
  const stat = readStat(pid);
  if (stat === 'gone') return 'dead';
  if (stat === 'unreadable') return signalProbe(pid);
  // A zombie has exited; X is a task being torn down.
  if (stat.state === 'Z' || stat.state === 'X') return 'dead';
  if (start == null) return 'alive';
  const boot = bootTimeMs();
  const epochMs = boot === null ? null : boot + (stat.startTime * 1000) / TICKS_PER_SECOND;
  return sameStart(start, { ticks: stat.startTime, epochMs }, boot) === false ? 'dead' : 'alive';
}

/** Portable answers: a row, or null for "no such process", and when it was asked. */
const answers = new Map<number, { row: PsRow | null; at: number }>();

function fresh(pid: number, now: number): boolean {
  const answer = answers.get(pid);
  return answer !== undefined && now - answer.at < PORTABLE_ANSWER_MS;
}

/** Ask ps once about every pid here that has no fresh answer. */
export function prefetch(pids: Iterable<number>): void {
  if (!isPortable()) return;
  const now = performance.now();
  const wanted = [...new Set(pids)].filter((pid) => Number.isInteger(pid) && pid > 0 && !fresh(pid, now));
  if (wanted.length === 0) return;
  const rows = psStates(wanted);
  if (rows === null) return;
  for (const pid of wanted) answers.set(pid, { row: rows.get(pid) ?? null, at: now });
  if (answers.size > 4096) for (const [pid, answer] of answers) if (now - answer.at >= PORTABLE_ANSWER_MS) answers.delete(pid);
}

function portableRow(pid: number): PsRow | null | 'unknown' {
  prefetch([pid]);
  const answer = answers.get(pid);
  return answer === undefined || !fresh(pid, performance.now()) ? 'unknown' : answer.row;
}

function portableState(pid: number, start: number | null | undefined): PidState {
  const row = portableRow(pid);
  if (row === 'unknown') return signalProbe(pid);
  if (row === null || row.state === 'Z') return 'dead';
  if (start == null) return 'alive';
  return sameStart(start, { ticks: null, epochMs: row.startMs }, bootTimeMs()) === false ? 'dead' : 'alive';
}

/** Whether `pid` still is the process that started at `start` (when known). */
export function pidState(pid: number, start: number | null | undefined): PidState {
  if (!Number.isInteger(pid) || pid <= 0) return 'dead';
  return isPortable() ? portableState(pid, start) : nativeState(pid, start);
}

let ownStart: { portable: boolean; stamp: number | null } | undefined;

/** The start stamp (see start-stamp.ts) of a live pid, or null when it is gone or unreadable. */
export function processStart(pid: number): number | null {
  const portable = isPortable();
  if (pid === process.pid && ownStart?.portable === portable) return ownStart.stamp;
  let stamp: number | null;
  if (portable) {
    const row = portableRow(pid);
    stamp = typeof row === 'object' && row !== null ? row.startMs : null;
  } else {
    const stat = readStat(pid);
    stamp = typeof stat === 'object' ? stat.startTime : null;
  }
  if (pid === process.pid) ownStart = { portable, stamp };
  return stamp;
}

/** A process's state letter (T: stopped), for messages; null when it is gone or nobody tells. */
export function processState(pid: number): string | null {
  if (isPortable()) {
    const row = portableRow(pid);
    return typeof row === 'object' && row !== null ? row.state : null;
  }
  const stat = readStat(pid);
  return typeof stat === 'object' ? stat.state : null;
}
