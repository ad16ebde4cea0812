// The kill deadline as the pure functions the supervisor (and any store) uses: last successful
// renewal + lease − one heartbeat; retries inside it; a renewal's wait for the store bounded by it;
// the watchdog's silence until the earliest deadline still ahead.

import { describe, expect, it } from 'vitest';
import { killDeadline, renewalBudget, retryAt, watchdogSilence } from '../../src/supervisor/lease-deadline.js';

const terms = { leaseMs: 15_000, heartbeatMs: 5_000 };

describe('the kill deadline', () => {
  it('is the last successful renewal (when sent) + lease − one heartbeat', () => {
    expect(killDeadline(1_000, terms)).toBe(11_000);
  });

  it('retries a failed renewal well inside it, and not at all when no room is left', () => {
    const deadline = killDeadline(0, terms);
    const at = retryAt(6_000, deadline, terms)!;
    expect(at).toBeGreaterThan(6_000);
    expect(at).toBeLessThanOrEqual(6_000 + terms.heartbeatMs / 4);
    expect(retryAt(9_990, deadline, terms)).toBeNull();
    // Several retries fit before the deadline.
    let now = 6_000;
    let tries = 0;
    for (let next = retryAt(now, deadline, terms); next !== null; next = retryAt(now, deadline, terms)) {
      now = next;
      tries++;
    }
    expect(tries).toBeGreaterThanOrEqual(4);
    expect(now).toBeLessThan(deadline);
  });

  it('bounds a renewal\'s wait for the store to half the time left', () => {
    expect(renewalBudget(6_000, 10_000)).toBe(2_000);
    expect(renewalBudget(11_000, 10_000)).toBe(0);
  });

  it('tells the watchdog the time to the earliest deadline still ahead (the supervisor handles those past)', () => {
    expect(watchdogSilence([12_000, 9_000, 4_000], 5_000, 10_000)).toBe(4_000);
    expect(watchdogSilence([], 5_000, 10_000)).toBe(10_000);
  });
});
