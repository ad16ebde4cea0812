// Leases kept by the heartbeat: an agent that waited in line longer than its lease still runs to
// completion; one agent's lost lease neither stalls the renewals of the others nor leaves the loser
// writing under someone else's lock for a grace period.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isGone, waitFor } from '../helpers/wait-for.js';
import { cli, fixture, LOCK_DIR, printedPids, project, reap, start } from './support.js';

interface DiskLock {
  agent_id: string;
  file_path: string;
  heartbeat_mono: number;
}

/** The heartbeat (CLOCK_MONOTONIC ms) of `agent`'s lock on `path` as the lock file says now, or null. */
function heartbeatOf(root: string, agent: string, path: string): number | null {
  const dir = join(root, LOCK_DIR);
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.lock')) continue;
    try {
      const lock = JSON.parse(readFileSync(join(dir, name), 'utf8')) as DiskLock;
      if (lock.agent_id === agent && lock.file_path === path) return lock.heartbeat_mono;
    } catch {
      // Replaced while we read it.
    }
  }
  return null;
}

const monoNow = (): number => Number(process.hrtime.bigint()) / 1e6;

describe('leases', () => {
  it('an agent that waited in line longer than its lease runs to completion', async () => {
    // Lease 600 ms; the agent waits about three leases for a lock taken outside the run.
    const root = project({ heartbeatMs: 200, agents: [{ id: 'late', command: fixture('exit-when', 'late.go'), owns: ['x.txt'] }] });
    expect((await cli(root, ['lock', 'x.txt', '--agent', 'holder'])).code).toBe(0);
    const run = start(root, ['run']);
    try {
      await waitFor(() => /waiting for x\.txt/.test(run.stderr()), { what: 'the agent waiting' });
      const waitingSince = performance.now();
      // The scenario itself is a wait longer than the lease (this is not synchronisation).
      await waitFor(() => performance.now() - waitingSince > 1_800, { what: 'three leases to pass' });
      expect((await cli(root, ['unlock', 'x.txt', '--agent', 'holder'])).code).toBe(0);
      await waitFor(() => printedPids(run.stdout(), 'ready').length === 1, { what: 'the agent started' });
      const startedAt = monoNow();
      // Renewed after several heartbeats: its lease was counted from the grant, not from the request.
      await waitFor(() => (heartbeatOf(root, 'late', 'x.txt') ?? 0) > startedAt + 500, { timeoutMs: 5_000, what: 'its lock renewed' });
      writeFileSync(join(root, 'late.go'), '');
      const { code } = await run.exited;
      expect(run.stderr()).not.toMatch(/LOST ITS LOCKS/);
      expect(code, run.stderr()).toBe(0);
    } finally {
      reap(printedPids(run.stdout(), 'ready'));
    }
  });

  it("one agent's lost lease does not stall the renewal of the others' locks", async () => {
    // Lease 600 ms; the loser ignores SIGTERM and would get a 3 s grace period.
    const root = project({
      heartbeatMs: 200,
      shutdownGraceMs: 3_000,
      agents: [
        { id: 'loser', command: fixture('ignore-sigterm'), owns: ['x.txt'] },
        { id: 'keeper', command: fixture('forever'), owns: ['y.txt'] },
      ],
    });
    const run = start(root, ['run']);
    try {
      await waitFor(() => printedPids(run.stdout(), 'ready').length === 2, { what: 'both agents ready' });
      expect((await cli(root, ['unlock', 'x.txt', '--agent', 'intruder', '--force'])).code).toBe(0);
      await waitFor(() => /\[?loser\]?.*LOST ITS LOCKS|LOST ITS LOCKS.*loser/.test(run.stderr()), { what: 'the loser told it lost its lease' });
      const lostAt = monoNow();
      // The keeper's renewals go on every heartbeat (before: none until the loser's stop ended).
      await waitFor(() => (heartbeatOf(root, 'keeper', 'y.txt') ?? 0) > lostAt + 1_000, { timeoutMs: 2_500, what: "the keeper's lock renewed meanwhile" });
      expect(run.stderr()).not.toMatch(/keeper.*LOST ITS LOCKS/);
      run.child.kill('SIGTERM');
      await run.exited;
      // Said once, not at every heartbeat while the loser is being stopped.
      expect(run.stderr().match(/LOST ITS LOCKS/g)).toHaveLength(1);
    } finally {
      reap(printedPids(run.stdout(), 'ready'));
    }
  });

  it('an agent whose lock was taken from it is SIGKILLed at once, without a grace period', async () => {
    const root = project({ heartbeatMs: 200, shutdownGraceMs: 10_000, agents: [{ id: 'loser', command: fixture('ignore-sigterm'), owns: ['x.txt'] }] });
    const run = start(root, ['run']);
    try {
      await waitFor(() => printedPids(run.stdout(), 'ready').length === 1, { what: 'the agent ready' });
      const [agentPid] = printedPids(run.stdout(), 'ready');
      expect((await cli(root, ['unlock', 'x.txt', '--agent', 'intruder', '--force'])).code).toBe(0);
      await waitFor(() => /LOST ITS LOCKS/.test(run.stderr()), { what: 'the lost lease reported' });
      // The files are someone else's now: no 10 s of SIGTERM grace.
      await waitFor(() => isGone(agentPid!), { timeoutMs: 2_000, what: 'the agent killed' });
      const { code } = await run.exited;
      expect(code).toBe(1);
      expect(run.stdout()).not.toContain('ignoring SIGTERM');
    } finally {
      reap(printedPids(run.stdout(), 'ready'));
    }
  });
});
