// Locks before the first line of the agent runs: its `owns` (exclusive) and `reads` (shared) in one
// all-or-nothing acquisition, kept alive by the supervisor's pid. `wait` waits in line (saying at
// least every 10 s what it waits for); `fail` or a lock timeout stops the whole run (exit 3).

import type { LockRecord } from '../../core/records.js';
import type { PathRequest } from '../../core/store.js';
import type { Policy } from '../policy.js';

const WAIT_REPORT_MS = 10_000;

export function acquireLocks(): Policy {
  return {
    name: 'acquire-locks',
    async acquire(agent, run) {
      const paths: PathRequest[] = [
        ...agent.spec.owns.map((path) => ({ path, mode: 'exclusive' as const })),
        ...agent.spec.reads.map((path) => ({ path, mode: 'shared' as const })),
      ];
      const askedAt = performance.now();
      if (paths.length === 0) {
        // Nothing declared, but locks the agent takes itself are kept alive by the heartbeat too.
        agent.leaseHeld = true;
        agent.lastRenewedAt = askedAt;
        return null;
      }
      const { settings } = run;
      const holders = new Set<string>();
      const result = await run.store.acquire({
        agentId: agent.id,
        paths,
        owner: { pid: settings.supervisorPid, leaseMs: settings.leaseMs, watchdog: settings.watchdog },
        wait: settings.onConflict === 'wait',
        ...(settings.lockTimeoutMs !== null ? { timeoutMs: settings.lockTimeoutMs } : {}),
        onWait: (info) => {
          for (const c of info.conflicts) if (c.locked_by) holders.add(c.locked_by);
          run.notify({ type: 'waiting-for-locks', agent: agent.id, conflicts: info.conflicts, waitedMs: info.waitedMs });
        },
        waitReportMs: WAIT_REPORT_MS,
        signal: agent.signal,
      });
      if (holders.size > 0) agent.waited = { ms: performance.now() - askedAt, holders: [...holders] };
      if (result.granted) {
        agent.locks = result.locks;
        agent.leaseHeld = true;
        agent.lastRenewedAt = grantedAt(result.locks, askedAt);
        run.notify({ type: 'locked', agent: agent.id, locks: result.locks });
        return null;
      }
      if (result.reason === 'aborted') return { kind: 'stopped', reason: run.stopReason ?? { kind: 'aborted' }, exit: null };
      run.stop({ kind: 'lock-failure', agent: agent.id });
      return result.reason === 'timeout'
        ? { kind: 'lock-timeout', conflicts: result.conflicts }
        : { kind: 'lock-conflict', conflicts: result.conflicts };
    },
  };
}

/**
 * When the grant happened, on performance.now()'s scale: the lease runs from there, not from the
 * request (which may have waited in line for minutes). A granted record's heartbeat is stamped
 * inside the critical section: heartbeat_mono on CLOCK_MONOTONIC (the clock performance.now() also
 * counts on), else its wall-clock heartbeat. Clamped between the request and now, so a skewed stamp
 * can neither make the lease look older than the wait nor claim a time still to come.
 */
function grantedAt(locks: LockRecord[], askedAt: number): number {
  const monoNow = Number(process.hrtime.bigint()) / 1e6;
  const wallNow = Date.now();
  const ages = locks
    .map((l) => (typeof l.heartbeat_mono === 'number' ? monoNow - l.heartbeat_mono : wallNow - Date.parse(l.heartbeat)))
    .filter((age) => Number.isFinite(age));
  const now = performance.now();
  if (ages.length === 0) return askedAt;
  return Math.min(now, Math.max(askedAt, now - Math.min(...ages)));
}
