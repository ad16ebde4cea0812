// The staleness rule as a pure function: TTL, lease since heartbeat, the 1-hour rule, dead pids on
// this host only, monotonic ages on this boot (so a wall-clock jump changes nothing), wall time for
// other hosts.

import { describe, expect, it } from 'vitest';
import { judge, NO_LEASE_MAX_AGE_MS, type MachineFacts } from '../../src/core/staleness.js';
import type { LockRecord } from '../../src/core/records.js';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const MONO0 = 1_000_000;
const iso = (ms: number) => new Date(ms).toISOString();

const facts = (dead: number[] = []): MachineFacts => ({
  host: 'here',
  bootId: 'boot-1',
  pidState: (pid) => (dead.includes(pid) ? 'dead' : 'alive'),
});

function lock(overrides: Partial<LockRecord> = {}): LockRecord {
  return {
    agent_id: 'a', file_path: 'x', timestamp: iso(T0), status: 'active', mode: 'exclusive', heartbeat: iso(T0),
    pid: null, host: 'here', token: 1, expires_at: null, version: 1, lease_ms: null, pid_start: null,
    boot_id: 'boot-1', timestamp_mono: MONO0, heartbeat_mono: MONO0, ...overrides,
  };
}

/** `after` ms later on both clocks, and the wall clock shifted by `jump`. */
const at = (after: number, jump = 0) => ({ wall: T0 + after + jump, mono: MONO0 + after });

describe('judge', () => {
  it('a lock without lease or pid lives for an hour, then is reclaimed', () => {
    expect(judge(lock(), at(NO_LEASE_MAX_AGE_MS - 1), facts()).stale).toBe(false);
    expect(judge(lock(), at(NO_LEASE_MAX_AGE_MS + 1), facts())).toMatchObject({ stale: true, event: 'reclaimed' });
  });

  it('a leased lock is stale once its heartbeat is older than the lease', () => {
    const leased = lock({ pid: 10, lease_ms: 15_000 });
    expect(judge(leased, at(15_000), facts()).stale).toBe(false);
    expect(judge(leased, at(15_001), facts())).toMatchObject({ stale: true, event: 'reclaimed' });
    const renewed = { ...leased, heartbeat: iso(T0 + 10_000), heartbeat_mono: MONO0 + 10_000 };
    expect(judge(renewed, at(20_000), facts()).stale).toBe(false);
  });

  it('a passed TTL expires the lock, measured on the monotonic clock', () => {
    const ttl = lock({ pid: 10, expires_at: iso(T0 + 60_000) });
    expect(judge(ttl, at(59_999), facts()).stale).toBe(false);
    expect(judge(ttl, at(60_000), facts())).toMatchObject({ stale: true, event: 'expired' });
    expect(judge(ttl, at(1_000, 3_600_000), facts()).stale).toBe(false);
  });

  it('a dead pid on this host and boot is reclaimed at once; a pid from before a reboot too', () => {
    expect(judge(lock({ pid: 10 }), at(1), facts([10]))).toMatchObject({ stale: true, event: 'reclaimed' });
    expect(judge(lock({ pid: 10 }), at(1), facts()).stale).toBe(false);
    expect(judge(lock({ pid: 10, boot_id: 'boot-0' }), at(1), facts())).toMatchObject({ stale: true });
  });

  it('a pid with no lease follows "dead or 1 hour"', () => {
    expect(judge(lock({ pid: 10 }), at(NO_LEASE_MAX_AGE_MS + 1), facts()).stale).toBe(true);
  });

  it('a wall-clock jump of an hour either way changes nothing for a record of this boot', () => {
    for (const jump of [3_600_000 + 60_000, -3_600_000 - 60_000]) {
      expect(judge(lock(), at(1_000, jump), facts()).stale).toBe(false);
      expect(judge(lock({ pid: 10, lease_ms: 15_000 }), at(1_000, jump), facts()).stale).toBe(false);
    }
  });

  it('another host: its pid means nothing here, its wall-clock age is all', () => {
    const far = lock({ host: 'far', boot_id: 'boot-far', pid: 10, lease_ms: 15_000 });
    expect(judge(far, at(1_000), facts([10])).stale).toBe(false);
    expect(judge(far, at(15_001), facts([10])).stale).toBe(true);
    // its monotonic stamps are not comparable with ours
    expect(judge({ ...far, heartbeat_mono: MONO0 + 1e9 }, at(15_001), facts()).stale).toBe(true);
  });

  it('an unreadable time cannot keep a lock alive; a future one counts as now', () => {
    expect(judge(lock({ heartbeat: 'garbage', heartbeat_mono: null, timestamp_mono: null }), at(1), facts()).stale).toBe(true);
    const skewed = lock({ host: 'far', boot_id: null, heartbeat: iso(T0 + 3_600_000), lease_ms: 15_000 });
    expect(judge(skewed, at(1_000), facts()).stale).toBe(false);
  });
});
