// Kill-then-release when killing does not work at once: a process of the agent that survives
// SIGKILL (here: frozen in a cgroup-v1 freezer, so it shows state D and dies only once thawed, as
// on a hung NFS mount) keeps the agent's locks held and renewed, said loudly, until it is gone.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isGone, waitFor } from '../helpers/wait-for.js';
import { cli, fixtureArgv, LOCK_DIR, locksOnDisk, printedPids, project, reap, start } from './support.js';
import { capable } from '../helpers/capability.js';

const FREEZER = '/sys/fs/cgroup/freezer';

/** A fresh freezer cgroup, or null where there is none we may write (not root, cgroup v2 only). */
function freezerGroup(): string | null {
  if (!existsSync(join(FREEZER, 'freezer.state')) && !existsSync(join(FREEZER, 'tasks'))) return null;
  const group = join(FREEZER, `agentvisor-test-${process.pid}-${randomBytes(3).toString('hex')}`);
  try {
    mkdirSync(group);
    return group;
  } catch {
    return null;
  }
}

const canFreeze = capable((() => {
  const group = freezerGroup();
  if (group) rmdirSync(group);
  return group !== null;
})(), 'the cgroup v2 freezer (to make a process that survives SIGKILL)');

function heartbeatOf(root: string, agent: string): number | null {
  const dir = join(root, LOCK_DIR);
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.lock')) continue;
    try {
      const lock = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { agent_id: string; heartbeat_mono: number };
      if (lock.agent_id === agent) return lock.heartbeat_mono;
    } catch {
      // Replaced while we read it.
    }
  }
  return null;
}

/** The process group of a running process. */
function pgidOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/** A freezer group removed (thawed, emptied) when the test ends; `freeze(pid)` and `thaw()`. */
function frozenGroup(): { freeze(pid: number): Promise<void>; thaw(): void } {
  const group = freezerGroup()!;
  const thaw = (): void => writeFileSync(join(group, 'freezer.state'), 'THAWED');
  onTestFinished(async () => {
    thaw();
    for (const pid of readFileSync(join(group, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) reap([Number(pid)]);
    // Removable once the killed processes are reaped.
    await waitFor(() => {
      try {
        rmdirSync(group);
        return true;
      } catch {
        return false;
      }
    }, { timeoutMs: 5_000 }).catch(() => undefined);
  });
  return {
    async freeze(pid) {
      writeFileSync(join(group, 'cgroup.procs'), String(pid));
      writeFileSync(join(group, 'freezer.state'), 'FROZEN');
      await waitFor(() => readFileSync(join(group, 'freezer.state'), 'utf8').trim() === 'FROZEN', { what: 'the process frozen' });
    },
    thaw,
  };
}

describe('kill-then-release', () => {
  it.skipIf(!canFreeze)('a process surviving SIGKILL keeps its agent\'s locks held and renewed, said loudly, until it is gone', async () => {
    const frozen = frozenGroup();
    const root = project({ heartbeatMs: 200, agents: [{ id: 'stuck', command: fixtureArgv('spawn-grandchild', 'gc.pid', 'wait'), owns: ['x.txt'] }] });
    const run = start(root, ['run']);
    try {
      const [grandchild] = await waitFor(() => (printedPids(run.stdout(), 'grandchild').length === 1 ? printedPids(run.stdout(), 'grandchild') : null), { what: 'the grandchild' });
      const leader = pgidOf(grandchild!);
      await frozen.freeze(grandchild!);
      process.kill(leader, 'SIGKILL');
      await waitFor(() => /survive SIGKILL/.test(run.stderr()), { timeoutMs: 5_000, what: 'the loud message' });
      // Past the old 2 s give-up: the lock is still there, still renewed, still refusing others.
      const saidAt = Number(process.hrtime.bigint()) / 1e6;
      await waitFor(() => (heartbeatOf(root, 'stuck') ?? 0) > saidAt, { timeoutMs: 3_000, what: 'the lock renewed after the message' });
      const intruder = await cli(root, ['lock', 'x.txt', '--agent', 'intruder']);
      expect(intruder.code).toBe(3);
      expect(isGone(grandchild!)).toBe(false);
      frozen.thaw();
      await run.exited;
      expect(isGone(grandchild!)).toBe(true);
      expect(locksOnDisk(root)).toEqual([]);
    } finally {
      frozen.thaw();
      reap(printedPids(run.stdout(), 'grandchild'));
    }
  });

  it.skipIf(!canFreeze)("after a supervisor's SIGKILL, the watchdog stays (and so do the locks) until such a process is gone", async () => {
    const frozen = frozenGroup();
    // Lease 15 s: what frees the lock below is the watchdog leaving, not the lease.
    const root = project({ heartbeatMs: 5_000, agents: [{ id: 'stuck', command: fixtureArgv('spawn-grandchild', 'gc.pid', 'wait'), owns: ['x.txt'] }] });
    const run = start(root, ['run']);
    try {
      const [grandchild] = await waitFor(() => (printedPids(run.stdout(), 'grandchild').length === 1 ? printedPids(run.stdout(), 'grandchild') : null), { what: 'the grandchild' });
      const leader = pgidOf(grandchild!);
      await frozen.freeze(grandchild!);
      run.child.kill('SIGKILL');
      await run.exited;
      await waitFor(() => isGone(leader), { what: 'the agent killed by the watchdog' });
      // Past the watchdog's old 2 s limit, with the supervisor dead: still held.
      const killedAt = performance.now();
      await waitFor(() => performance.now() - killedAt > 2_500, { what: 'the old limit to pass' });
      expect((await cli(root, ['lock', 'x.txt', '--agent', 'intruder'])).code).toBe(3);
      frozen.thaw();
      await waitFor(async () => (await cli(root, ['lock', 'x.txt', '--agent', 'intruder'])).code === 0, { timeoutMs: 5_000, intervalMs: 100, what: 'the lock free once the process is gone' });
      expect(isGone(grandchild!)).toBe(true);
    } finally {
      frozen.thaw();
      reap(printedPids(run.stdout(), 'grandchild'));
    }
  });
});
