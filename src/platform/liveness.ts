// Is a pid still the process that was recorded? Dead when it is gone, a zombie, or a different
// process that reused the pid (its start differs). Linux reads /proc/PID/stat (µs a look); the
// portable path asks `ps` (a few ms a call, tens under load), so it asks once for many pids
// (`prefetch`), and asks again ahead of time, without blocking, before the store's critical
// section (`refreshAhead`), so that ps runs outside it (asked for inside, it is started after it:
// starting it forks this process). Inside, an "alive" answer up to a few seconds old is used as it
// is (an old "alive" only delays a reclaim, never grants anything) while a fresh one is asked for
// in the background; only a pid never seen blocks on ps.

import { bootTimeMs } from './boot.js';
import { readStat } from './proc.js';
import { psStates, psStatesAsync, type PsRow } from './ps.js';
import { sameStart, TICKS_PER_SECOND } from './start-stamp.js';
import { isPortable } from './system.js';

export type PidState = 'alive' | 'dead' | 'unknown';

/** How long a portable answer about a pid is taken as current. */
const PORTABLE_ANSWER_MS = 1000;
/** How old an "alive" answer may be and still be used (while a fresh one is asked for in the background). */
const ALIVE_USABLE_MS = 2500;
/** Answers this old are asked again ahead of time, for pids asked about within ASKED_LATELY_MS. */
const REFRESH_AFTER_MS = 1000;
const ASKED_LATELY_MS = 5000;

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
/** When each pid was last asked about (by a caller, not by the refresh). */
const asked = new Map<number, number>();
let refreshing: Promise<void> | null = null;
/** When the background ask in flight started. */
let refreshStarted = 0;
/**
 * A background answer overdue by this much is not waited for: the caller asks ps itself. (A
 * program that loops on the store without ever yielding to the event loop would never get one.)
 */
const BACKGROUND_OVERDUE_MS = 1000;

function remember(wanted: number[], rows: Map<number, PsRow>, at: number): void {
  for (const pid of wanted) answers.set(pid, { row: rows.get(pid) ?? null, at });
  if (answers.size > 4096) for (const [pid, answer] of answers) if (at - answer.at >= PORTABLE_ANSWER_MS) answers.delete(pid);
  if (asked.size > 4096) for (const [pid, when] of asked) if (at - when >= ASKED_LATELY_MS) asked.delete(pid);
}

/**
 * Ask ps again, without blocking, about the pids asked about lately whose answers are getting old:
 * the store calls this before it waits for its critical section, where a sync ps would hold
 * everyone up. Resolves at once on Linux and when nothing needs asking.
 */
export function refreshAhead(): Promise<void> {
  if (!isPortable()) return Promise.resolve();
  if (refreshing) return refreshing;
  const now = performance.now();
  const lately = [...asked].filter(([, when]) => now - when < ASKED_LATELY_MS).map(([pid]) => pid);
  // When one needs asking, all are asked: their answers then age together, and the next refresh
  // is a second away (asked one by one as each turned a second old, 8 processes ran ps 25 times a
  // second between them, a quarter of two loaded cores).
  if (!lately.some((pid) => !(now - (answers.get(pid)?.at ?? -Infinity) < REFRESH_AFTER_MS))) return Promise.resolve();
  const wanted = lately;
  refreshStarted = now;
  refreshing = psStatesAsync(wanted).then((rows) => {
    refreshing = null;
    if (rows) remember(wanted, rows, now);
  });
  return refreshing;
}

let refreshQueued = false;
/** When the queued refresh was asked for (it waits for the event loop, as the answer does). */
let refreshQueuedAt = 0;

/**
 * refreshAhead once the caller's turn is over: starting ps forks this process, which on a loaded
 * machine took milliseconds, and the callers judging pids are mostly inside the critical section.
 */
function refreshSoon(): void {
  if (refreshQueued) return;
  refreshQueued = true;
  refreshQueuedAt = performance.now();
  setImmediate(() => {
    refreshQueued = false;
    void refreshAhead();
  }).unref();
}

function fresh(pid: number, now: number): boolean {
  const answer = answers.get(pid);
  return answer !== undefined && now - answer.at < PORTABLE_ANSWER_MS;
}

/** An answer that may be used now: current, or "alive" and not too old. */
function usable(pid: number, now: number): boolean {
  const answer = answers.get(pid);
  return answer !== undefined && (now - answer.at < PORTABLE_ANSWER_MS || (answer.row !== null && now - answer.at < ALIVE_USABLE_MS));
}

/** Ask ps once (blocking) about every pid here that has no usable answer; refresh the others in the background. */
export function prefetch(pids: Iterable<number>): void {
  if (!isPortable()) return;
  const now = performance.now();
  const valid = [...new Set(pids)].filter((pid) => Number.isInteger(pid) && pid > 0);
  for (const pid of valid) asked.set(pid, now);
  const wanted = valid.filter((pid) => !usable(pid, now));
  if (valid.some((pid) => !fresh(pid, now) && !wanted.includes(pid))) refreshSoon();
  if (wanted.length === 0) return;
  const rows = psStates(wanted);
  if (rows !== null) remember(wanted, rows, now);
}

/** Note the pids as wanted and ask about the unknown ones in the background; never blocks. */
export function prefetchAhead(pids: Iterable<number>): void {
  if (!isPortable()) return;
  const now = performance.now();
  let missing = false;
  for (const pid of pids) {
    if (!Number.isInteger(pid) || pid <= 0) continue;
    asked.set(pid, now);
    if (!fresh(pid, now)) missing = true;
  }
  if (missing) refreshSoon();
}

/** pidState from the answers at hand (Linux: /proc, as always); 'unknown' rather than wait for ps. */
export function pidStateKnown(pid: number, start: number | null | undefined): PidState {
  if (!isPortable()) return pidState(pid, start);
  if (!Number.isInteger(pid) || pid <= 0 || knownDead(pid, start)) return 'dead';
  prefetchAhead([pid]);
  const now = performance.now();
  const answer = answers.get(pid);
  if (answer && usable(pid, now)) return remembered(pid, answer.row, start);
  const waitingSince = refreshing ? refreshStarted : refreshQueued ? refreshQueuedAt : null;
  return waitingSince !== null && now - waitingSince > BACKGROUND_OVERDUE_MS ? portableState(pid, start) : 'unknown';
}

/** judgeRow, remembering a pid found gone under its own key (the row is null then). */
function remembered(pid: number, row: PsRow | null, start: number | null | undefined): PidState {
  const state = judgeRow(row, start);
  if (state === 'dead' && start != null) deadForGood.add(`${pid}/${start}`);
  return state;
}

/** Processes (pid and recorded start) found dead: one never comes back, so this is kept for good. */
const deadForGood = new Set<string>();

function judgeRow(row: PsRow | null, start: number | null | undefined): PidState {
  const dead = row === null || row.state === 'Z' || (start != null && sameStart(start, { ticks: null, epochMs: row.startMs }, bootTimeMs()) === false);
  if (!dead) return 'alive';
  if (deadForGood.size > 4096) deadForGood.clear();
  return 'dead';
}

function knownDead(pid: number, start: number | null | undefined): boolean {
  return start != null && deadForGood.has(`${pid}/${start}`);
}

function portableRow(pid: number): PsRow | null | 'unknown' {
  prefetch([pid]);
  return usable(pid, performance.now()) ? answers.get(pid)!.row : 'unknown';
}

function portableState(pid: number, start: number | null | undefined): PidState {
  if (knownDead(pid, start)) return 'dead';
  const row = portableRow(pid);
  return row === 'unknown' ? signalProbe(pid) : remembered(pid, row, start);
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
