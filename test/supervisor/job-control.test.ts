// Ctrl-Z on a run (SIGTSTP to the supervisor): the agents pause with it, the supervisor never stops
// inside the store's critical section, `fg` (SIGCONT) continues them, and a pause past the lease
// kills them instead of letting them write again under locks someone else may hold.

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mutexHolder } from '../../src/core/fs-store/mutex.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../helpers/tempdir.js';
import { isGone, waitFor } from '../helpers/wait-for.js';
import { cli, fixture, LOCK_DIR, locksOnDisk, printedPids, project, reap, start } from './support.js';

/** The state letter of /proc/PID/stat (R, S, T, Z...), or null when gone. */
function stateOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/** True while some live process holds the store's mutex. */
function mutexHeld(root: string): boolean {
  return mutexHolder(join(root, LOCK_DIR)) !== null;
}

/** Where the process's main thread sleeps in the kernel (futex: a fault point's pause). */
function wchanOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/wchan`, 'utf8');
  } catch {
    return '';
  }
}

function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // Gone already.
  }
}

describe('job control', () => {
  it("Ctrl-Z pauses the agents with the supervisor, never inside the store's critical section; fg continues them", async () => {
    const outside = testDir({});
    const stamps = join(outside, 'stamps');
    const release = join(outside, 'release');
    // Lease 3 s: the pause below is shorter, so the agent continues.
    const root = project({ heartbeatMs: 1_000, agents: [{ id: 'busy', command: fixture('append-stamps', stamps), owns: ['x.txt'] }] });
    // The first renewal blocks inside the critical section until `release` exists.
    const run = start(root, ['run'], { env: { AGENTVISOR_FAULTS: 'lock-file.rename:1=pause', AGENTVISOR_FAULT_RELEASE: release } });
    const supervisor = run.child.pid!;
    try {
      await waitFor(() => printedPids(run.stdout(), 'ready').length === 1, { what: 'the agent ready' });
      const [agentPid] = printedPids(run.stdout(), 'ready');
      await waitFor(() => mutexHeld(root) && wchanOf(supervisor).includes('futex'), { what: 'the supervisor paused inside the critical section' });
      process.kill(supervisor, 'SIGTSTP');
      writeFileSync(release, '');
      await waitFor(() => stateOf(supervisor) === 'T' && stateOf(agentPid!) === 'T', { timeoutMs: 5_000, what: 'the supervisor and its agent stopped' });
      // The store is free while the run is stopped (before: the supervisor stopped holding the mutex).
      const probe = await cli(root, ['lock', 'y.txt', '--agent', 'probe'], { timeoutMs: 5_000 });
      expect(probe.code, probe.stderr).toBe(0);
      const pausedSize = statSync(stamps).size;
      process.kill(supervisor, 'SIGCONT');
      await waitFor(() => stateOf(agentPid!) !== 'T' && statSync(stamps).size > pausedSize, { timeoutMs: 5_000, what: 'the agent continued' });
      run.child.kill('SIGTERM');
      expect((await run.exited).code).toBe(143);
      expect(run.stderr()).toMatch(/paused \(SIGTSTP\)/);
      expect(run.stderr()).not.toMatch(/LOST ITS LOCKS/);
    } finally {
      writeFileSync(release, '');
      resume(supervisor);
      reap(printedPids(run.stdout(), 'ready'));
    }
  });

  it('continued after its lease passed, the run kills its agents without letting them write again', async () => {
    const outside = testDir({});
    const stamps = join(outside, 'stamps');
    const root = project({ heartbeatMs: 200, agents: [{ id: 'busy', command: fixture('append-stamps', stamps), owns: ['x.txt'] }] });
    const run = start(root, ['run']);
    const supervisor = run.child.pid!;
    try {
      await waitFor(() => printedPids(run.stdout(), 'ready').length === 1, { what: 'the agent ready' });
      const [agentPid] = printedPids(run.stdout(), 'ready');
      process.kill(supervisor, 'SIGTSTP');
      await waitFor(() => stateOf(supervisor) === 'T' && stateOf(agentPid!) === 'T', { timeoutMs: 5_000, what: 'the supervisor and its agent stopped' });
      const pausedSize = statSync(stamps).size;
      // The lease (600 ms) passes; someone takes the file.
      await waitFor(async () => (await cli(root, ['lock', 'x.txt', '--agent', 'thief'])).code === 0, { timeoutMs: 10_000, intervalMs: 200, what: 'the stale lock taken' });
      process.kill(supervisor, 'SIGCONT');
      const { code } = await run.exited;
      expect(code).toBe(1);
      expect(run.stderr()).toMatch(/LOST ITS LOCKS/);
      await waitFor(() => isGone(agentPid!), { what: 'the agent gone' });
      // Killed while stopped: not one more write under the thief's lock.
      expect(statSync(stamps).size).toBe(pausedSize);
      expect(locksOnDisk(root).map((l) => [l.agent_id, l.file_path])).toEqual([['thief', 'x.txt']]);
    } finally {
      resume(supervisor);
      reap(printedPids(run.stdout(), 'ready'));
    }
  });
});
