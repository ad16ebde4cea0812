// A lock naming the supervisor's watchdog (watchdog_pid): its holder counts as alive while the
// supervisor OR the watchdog lives on this host, so a SIGKILLed supervisor's locks stay until the
// watchdog has killed its agents; the lease and TTL still apply; agents learn the watchdog from
// AGENTVISOR_WATCHDOG.

import { describe, expect, it } from 'vitest';
import { ownerFromEnvironment } from '../../src/core/ownership.js';
import type { LockRecord } from '../../src/core/records.js';
import { judge, type MachineFacts } from '../../src/core/staleness.js';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const MONO0 = 1_000_000;
const iso = (ms: number) => new Date(ms).toISOString();
const at = (after: number) => ({ wall: T0 + after, mono: MONO0 + after });

const facts = (dead: number[]): MachineFacts => ({
  host: 'here',
  bootId: 'boot-1',
  pidState: (pid, start) => (dead.includes(pid) || start === -1 ? 'dead' : 'alive'),
});

function lock(overrides: Partial<LockRecord> = {}): LockRecord {
  return {
    agent_id: 'a', file_path: 'x', timestamp: iso(T0), status: 'active', mode: 'exclusive', heartbeat: iso(T0),
    pid: 10, host: 'here', token: 1, expires_at: null, version: 1, lease_ms: 15_000, pid_start: 1,
    boot_id: 'boot-1', timestamp_mono: MONO0, heartbeat_mono: MONO0, watchdog_pid: 20, watchdog_pid_start: 2, ...overrides,
  };
}

describe('judge with a watchdog', () => {
  it('lives while the supervisor or its watchdog lives; reclaimed once both are dead', () => {
    expect(judge(lock(), at(1), facts([10])).stale).toBe(false);
    expect(judge(lock(), at(1), facts([20])).stale).toBe(false);
    expect(judge(lock(), at(1), facts([10, 20]))).toMatchObject({ stale: true, event: 'reclaimed', reason: 'pid 10 and its watchdog 20 are dead' });
  });

  it("a reused watchdog pid (another start time) does not keep the lock alive", () => {
    expect(judge(lock({ watchdog_pid_start: -1 }), at(1), facts([10]))).toMatchObject({ stale: true });
  });

  it('the lease still ends it while the watchdog lives (the supervisor no longer renews)', () => {
    expect(judge(lock(), at(15_001), facts([10]))).toMatchObject({ stale: true, event: 'reclaimed' });
  });

  it('a record without a watchdog, or with a malformed one, follows the pid alone', () => {
    expect(judge(lock({ watchdog_pid: null }), at(1), facts([10]))).toMatchObject({ stale: true, reason: 'pid 10 is dead' });
    expect(judge(lock({ watchdog_pid: 'x' as unknown as number }), at(1), facts([10]))).toMatchObject({ stale: true });
  });

  it('another host or boot: the watchdog proves nothing', () => {
    expect(judge(lock({ boot_id: 'boot-0' }), at(1), facts([]))).toMatchObject({ stale: true });
    expect(judge(lock({ host: 'there' }), at(1), facts([10])).stale).toBe(false);
  });
});

describe('ownerFromEnvironment with a watchdog', () => {
  it('names the watchdog from AGENTVISOR_WATCHDOG=<pid>:<start> inside a supervised agent', () => {
    const env = { AGENTVISOR_SUPERVISOR: '4242', AGENTVISOR_HEARTBEAT_MS: '1000' };
    expect(ownerFromEnvironment({ ...env, AGENTVISOR_WATCHDOG: '4243:987' }, 'cli')).toEqual({ pid: 4242, leaseMs: 3000, watchdog: { pid: 4243, start: 987 } });
    expect(ownerFromEnvironment({ ...env, AGENTVISOR_WATCHDOG: '4243:' }, 'cli')).toEqual({ pid: 4242, leaseMs: 3000, watchdog: { pid: 4243, start: null } });
    expect(ownerFromEnvironment({ ...env, AGENTVISOR_WATCHDOG: '' }, 'cli')).toEqual({ pid: 4242, leaseMs: 3000 });
    expect(ownerFromEnvironment({ AGENTVISOR_WATCHDOG: '4243:987' }, 'cli')).toEqual({ pid: null, leaseMs: null });
  });
});
