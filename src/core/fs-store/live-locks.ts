// The live locks of a coordination dir, read without the mutex: what check, listLocks and the board
// see, and all that the guard reads on every edit an agent makes. It imports nothing that writes
// (no mutex, journals, queue or counters), so a read-only caller loads only this and lock-files.

import { isPortable } from '../../platform/system.js';
import { systemClock, type Clock } from '../clock.js';
import { fault } from '../faults.js';
import { systemLiveness, type Liveness } from '../liveness.js';
import type { LockRecord } from '../records.js';
import { judge, type Instant, type MachineFacts } from '../staleness.js';
import { Layout } from './layout.js';
import { carriesToken, judgedRecord, listDir, readLocks, type StoredLock } from './lock-files.js';
import { firstSeenOf } from './suspects.js';

export function instant(clock: Clock): Instant {
  return { wall: clock.now(), mono: clock.mono() };
}

export function isStale(lock: StoredLock, now: Instant, facts: MachineFacts, firstSeen: number | null = null): ReturnType<typeof judge> {
  return judge(judgedRecord(lock), now, facts, firstSeen);
}

/** What staleness needs to know about this machine. */
export function machineFacts(liveness: Liveness): MachineFacts {
  return { host: liveness.host, bootId: liveness.bootId, pidState: (pid, start) => liveness.pidState(pid, start), prefetch: (pids) => liveness.prefetch?.(pids) };
}

/**
 * Lock files not belonging to an open acquisition, not stale. The dir is listed again after the
 * records are read: a record whose txn file is still there is not granted yet (a grant creates the
 * txn before its first lock file and removes it after the last); a record whose file is gone by
 * then was released, or was an abandoned acquisition's that recovery removed (recovery removes the
 * lock files before the txn, so when the txn is gone from this listing, they are too).
 */
export function readLiveLocks(layout: Layout, clock: Clock, facts: MachineFacts): LockRecord[] {
  const listing = listDir(layout);
  if (listing.lockNames.length === 0) return [];
  const locks = readLocks(layout, listing.lockNames);
  fault('live-locks.after-read');
  const again = listDir(layout);
  const open = new Set(again.txnTokens);
  const present = new Set(again.lockNames);
  const now = instant(clock);
  const once = askingOnce(facts);
  const seen = firstSeenOf(layout, locks, now, once);
  const kept = locks.filter((l) => present.has(l.name) && !(carriesToken(l) && open.has(l.record.token)));
  let factsFor = (_l: StoredLock): MachineFacts => once;
  if (isPortable()) {
    // Asking ps costs milliseconds: a lock with a lease is judged by it alone (its holder's death
    // shows within the lease), and the others' pids are asked in one call.
    const byLease: MachineFacts = { ...once, pidState: () => 'unknown' };
    const leased = (l: StoredLock): boolean => typeof l.record.lease_ms === 'number' && l.record.lease_ms > 0;
    facts.prefetch?.(kept.filter((l) => !leased(l) && typeof l.record.pid === 'number').map((l) => l.record.pid!));
    factsFor = (l) => (leased(l) ? byLease : once);
  }
  const live: LockRecord[] = [];
  for (const l of kept) {
    const verdict = isStale(l, now, factsFor(l), seen(l));
    // A lock whose time cannot be believed says so (status, the board).
    if (!verdict.stale) live.push(verdict.suspect ? { ...l.record, suspect: verdict.suspect } : l.record);
  }
  return live;
}

/**
 * Each process asked about once per reading: every lock that `run` keeps alive carries the
 * supervisor's pid, so twenty locks would otherwise ask about it twenty times.
 */
function askingOnce(facts: MachineFacts): MachineFacts {
  const answers = new Map<string, ReturnType<MachineFacts['pidState']>>();
  return {
    host: facts.host,
    bootId: facts.bootId,
    pidState(pid, start) {
      const key = `${pid}/${start ?? ''}`;
      let answer = answers.get(key);
      if (answer === undefined) answers.set(key, (answer = facts.pidState(pid, start)));
      return answer;
    },
  };
}

/** The live locks in `dir` as this machine's clock and processes judge them now. */
export function liveLocksIn(dir: string): LockRecord[] {
  return readLiveLocks(new Layout(dir), systemClock, machineFacts(systemLiveness));
}
