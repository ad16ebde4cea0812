// The contract's staleness rule as a pure function of a lock record, the time now and facts about
// this machine: a lock is stale when its TTL passed, its lease ran out since the last heartbeat,
// it has no lease and is older than an hour, or its pid (and its watchdog, when it names one) is
// dead on this host.

import { compareBootIds } from '../platform/boot.js';
import type { LockRecord } from './records.js';

/** Locks written without heartbeats expire after this long (the seed's rule). */
export const NO_LEASE_MAX_AGE_MS = 60 * 60 * 1000;
/**
 * Clocks of one machine's writers (or a host's skewed clock) may disagree by this much; a wall-clock
 * stamp further in the future is suspect: its age is counted from when the store first saw it.
 */
export const CLOCK_SKEW_MS = 60 * 1000;

export interface Instant {
  /** Wall-clock ms. */
  wall: number;
  /** CLOCK_MONOTONIC ms (same boot only). */
  mono: number;
}

export interface MachineFacts {
  host: string;
  bootId: string | null;
  pidState(pid: number, pidStart: number | null | undefined): 'alive' | 'dead' | 'unknown';
  /** A hint that these pids are about to be asked about (ps once for all on the portable path). */
  prefetch?(pids: Iterable<number>): void;
}

export type Verdict =
  | { stale: false; suspect?: string }
  | { stale: true; event: 'expired' | 'reclaimed'; reason: string };

type StaleFields = Pick<LockRecord, 'timestamp' | 'heartbeat' | 'pid' | 'host' | 'expires_at'> &
  Partial<Pick<LockRecord, 'lease_ms' | 'pid_start' | 'boot_id' | 'timestamp_mono' | 'heartbeat_mono' | 'watchdog_pid' | 'watchdog_pid_start'>>;

function sameHost(record: StaleFields, facts: MachineFacts): boolean {
  return record.host === facts.host;
}

/** Monotonic stamps are comparable only on the boot that wrote them, on this host. */
function sameBoot(record: StaleFields, facts: MachineFacts): boolean {
  return sameHost(record, facts) && compareBootIds(record.boot_id, facts.bootId) === 'same';
}

/**
 * Age of a wall-clock stamp. An unreadable time cannot prove the holder alive; a time a little in
 * the future (a skewed clock) counts as now; one beyond the skew is suspect, and ages from when the
 * store first saw the record (`firstSeen`, wall ms; not seen before: now).
 */
function wallAge(iso: string | null | undefined, now: Instant, firstSeen: number | null): number {
  const at = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(at)) return Number.POSITIVE_INFINITY;
  if (at > now.wall + CLOCK_SKEW_MS) return Math.max(0, now.wall - (firstSeen ?? now.wall));
  return Math.max(0, now.wall - at);
}

/** Whether the stamp staleness judges the record by is on the wall clock (not this boot's monotonic one). */
function byWallClock(record: StaleFields, facts: MachineFacts): boolean {
  return (record.heartbeat_mono ?? record.timestamp_mono) == null || !sameBoot(record, facts);
}

/**
 * Why the record's time cannot be believed (its wall-clock stamp lies beyond the clock skew in the
 * future), or null. Such a record is judged from when it was first seen.
 */
export function futureDated(record: StaleFields, now: Instant, facts: MachineFacts): string | null {
  if (!byWallClock(record, facts)) return null;
  const stamp = record.heartbeat ?? record.timestamp;
  const at = Date.parse(stamp);
  if (Number.isNaN(at) || at <= now.wall + CLOCK_SKEW_MS) return null;
  return `its time ${stamp} is ${Math.round((at - now.wall) / 1000)} s in the future (more than the ${CLOCK_SKEW_MS / 1000} s a clock may be off): judged from when it was first seen`;
}

/** Age of a stamp: monotonic when the record was written on this boot, else wall time. */
function age(iso: string | null | undefined, mono: number | null | undefined, record: StaleFields, now: Instant, facts: MachineFacts, firstSeen: number | null): number {
  if (mono != null && sameBoot(record, facts)) return Math.max(0, now.mono - mono);
  return wallAge(iso, now, firstSeen);
}

function ttlPassed(record: StaleFields, now: Instant, facts: MachineFacts): boolean {
  if (!record.expires_at) return false;
  const expiresAt = Date.parse(record.expires_at);
  const takenAt = Date.parse(record.timestamp);
  if (record.timestamp_mono != null && sameBoot(record, facts) && !Number.isNaN(expiresAt) && !Number.isNaN(takenAt)) {
    // The TTL as a duration on the monotonic clock, so a wall-clock jump does not end it early.
    return now.mono - record.timestamp_mono >= expiresAt - takenAt;
  }
  return Number.isNaN(expiresAt) || now.wall >= expiresAt;
}

function holderDead(record: StaleFields, facts: MachineFacts): string | null {
  if (record.pid == null || !sameHost(record, facts)) return null;
  if (compareBootIds(record.boot_id, facts.bootId) === 'different') {
    return `pid ${record.pid} ran before this machine rebooted`;
  }
  if (facts.pidState(record.pid, record.pid_start) !== 'dead') return null;
  // A supervisor's watchdog outlives it until the agents are dead: the lock lives while either does.
  if (!Number.isSafeInteger(record.watchdog_pid) || record.watchdog_pid! <= 0) return `pid ${record.pid} is dead`;
  if (facts.pidState(record.watchdog_pid!, record.watchdog_pid_start) !== 'dead') return null;
  return `pid ${record.pid} and its watchdog ${record.watchdog_pid} are dead`;
}

/** `firstSeen`: when the store first saw this record (wall ms), for a record dated in the future. */
export function judge(record: StaleFields, now: Instant, facts: MachineFacts, firstSeen: number | null = null): Verdict {
  if (ttlPassed(record, now, facts)) return { stale: true, event: 'expired', reason: `its TTL ended at ${record.expires_at}` };
  const dead = holderDead(record, facts);
  if (dead) return { stale: true, event: 'reclaimed', reason: dead };
  const sinceHeartbeat = age(record.heartbeat ?? record.timestamp, record.heartbeat_mono ?? record.timestamp_mono, record, now, facts, firstSeen);
  const suspect = futureDated(record, now, facts);
  const live: Verdict = suspect ? { stale: false, suspect } : { stale: false };
  const lease = record.lease_ms;
  if (lease != null && lease > 0) {
    if (sinceHeartbeat > lease) return { stale: true, event: 'reclaimed', reason: `no heartbeat for ${Math.round(sinceHeartbeat)} ms (lease ${lease} ms)${suspect ? ` (${suspect})` : ''}` };
    return live;
  }
  if (sinceHeartbeat > NO_LEASE_MAX_AGE_MS) return { stale: true, event: 'reclaimed', reason: `older than 1 hour without heartbeats${suspect ? ` (${suspect})` : ''}` };
  return live;
}
