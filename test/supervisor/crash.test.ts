// Crashes at the worst moments, on both stores: an agent SIGKILLed (its tree dies, its locks go to
// the next in line), the supervisor SIGKILLed (the watchdog kills every agent tree; on this host the
// locks are reclaimable at once), the supervisor paused past its lease (it stops its agent and
// leaves the new holder alone). (A SIGKILLed supervisor seen from another host, whose locks go only
// after the lease: test/pg-store/two-hosts.test.ts.)

import { describe, expect, it } from 'vitest';
import { adminQuery } from '../helpers/pg.js';
import { forEachStore, type StoreKind } from '../helpers/stores.js';
import { isGone, waitFor } from '../helpers/wait-for.js';
import type { CliOptions } from '../helpers/cli.js';
import { allGone, cli as runIn, fixture, locksIn, printedPids, project, reap, start as startIn, stopOutsideSection } from './support.js';

/** A project whose CLI runs use `kind`'s store, and the lock records as the store keeps them, read directly. */
async function onStore(kind: StoreKind) {
  const { dir, env, options } = await kind.open();
  const locks = async (): Promise<{ agent_id: string; file_path: string }[]> =>
    options.url ? adminQuery('SELECT agent_id, file_path FROM agentvisor.locks WHERE scope = $1 ORDER BY token', [options.scope]) : locksIn(dir);
  return {
    dir,
    locks,
    start: (root: string, args: string[], more: CliOptions = {}) => startIn(root, args, { ...more, env: { ...env, ...more.env } }),
    cli: (root: string, args: string[]) => runIn(root, args, { env }),
  };
}

forEachStore((kind) => describe('crash safety', () => {
  it("an agent's SIGKILL kills its grandchildren (in and out of its group) and frees its locks for the agent waiting", async () => {
    const { start, locks } = await onStore(kind);
    const root = project({
      agents: [
        { id: 'victim', command: `${fixture('spawn-grandchild', 'in.pid', 'wait')} & ${fixture('spawn-grandchild', 'out.pid', 'wait', 'escape')} & ${fixture('forever')}`, owns: ['shared.txt'] },
        { id: 'next', command: fixture('read-locks'), reads: ['shared.txt'] },
      ],
    });
    const run = start(root, ['run']);
    await waitFor(() => printedPids(run.stdout(), 'ready').length === 1 && printedPids(run.stdout(), 'grandchild').length === 2, { what: 'victim ready' });
    const grandchildren = printedPids(run.stdout(), 'grandchild');
    const [agentPid] = printedPids(run.stdout(), 'ready');
    try {
      process.kill(agentPid!, 'SIGKILL');
      await allGone(grandchildren);
      const { code } = await run.exited;
      // The victim only lost one process of its shell; the shell itself exits 0 or by signal.
      expect([0, 1]).toContain(code);
      expect(run.stdout()).toContain('[next] held: shared.txt:shared');
      expect(await locks()).toEqual([]);
    } finally {
      reap([...grandchildren, agentPid!]);
    }
  });

  it('a SIGKILLed supervisor leaves no agent process behind and no lock that cannot be taken at once', async () => {
    const { start, cli } = await onStore(kind);
    // Lease 15 s, so that what frees the locks below is liveness, not the lease.
    const root = project({
      heartbeatMs: 5_000,
      agents: [
        { id: 'one', command: fixture('forever'), owns: ['one/**'] },
        { id: 'two', command: `${fixture('spawn-grandchild', 'gc.pid', 'wait', 'escape')}`, owns: ['two/**'] },
      ],
    }, { 'one/': null, 'two/': null });
    const run = start(root, ['run']);
    await waitFor(() => printedPids(run.stdout(), 'ready').length === 1 && printedPids(run.stdout(), 'grandchild').length === 1, { what: 'agents ready' });
    const pids = [...printedPids(run.stdout(), 'ready'), ...printedPids(run.stdout(), 'grandchild')];
    try {
      run.child.kill('SIGKILL');
      await run.exited;
      await allGone(pids, 5_000);
      // Stale once the supervisor and its watchdog (which exits right after its agents) are dead.
      const taken = await waitFor(async () => {
        const attempt = await cli(root, ['lock', 'one/**', 'two/**', '--agent', 'successor']);
        return attempt.code === 0 ? attempt : null;
      }, { timeoutMs: 8_000, intervalMs: 50, what: 'the locks taken' });
      expect(taken.code, taken.stderr).toBe(0);
    } finally {
      reap(pids);
    }
  });

  it('a supervisor paused past its lease stops its agent when it resumes and leaves the new holder alone', async () => {
    const { start, cli, locks, dir } = await onStore(kind);
    // 500 ms: with 200 ms the kill deadline is 400 ms after the last renewal, and on a loaded
    // machine (load 9-13 on 2 cores) a renewal that late killed the agent before node had started
    // it: the run ended (lost lease) with no agent ever ready, on either store.
    const heartbeatMs = 500;
    const root = project({ heartbeatMs, shutdownGraceMs: 500, agents: [{ id: 'paused', command: fixture('forever'), owns: ['f.txt'] }] });
    const run = start(root, ['run']);
    await waitFor(() => printedPids(run.stdout(), 'ready').length === 1, { what: 'agent ready' });
    const [agentPid] = printedPids(run.stdout(), 'ready');
    const supervisor = run.child.pid!;
    try {
      // Stopped inside its critical section it would block the thief's lock itself (STORE_BUSY).
      await stopOutsideSection(supervisor, dir);
      // The lease (3 heartbeats) passes while the supervisor cannot renew; then someone takes the file.
      const thief = await waitFor(async () => {
        const r = await cli(root, ['lock', 'f.txt', '--agent', 'thief']);
        return r.code === 0 ? r : null;
      }, { timeoutMs: 10_000, intervalMs: 200, what: 'the stale lock to be taken' });
      expect(thief.code).toBe(0);
      process.kill(supervisor, 'SIGCONT');
      const { code } = await run.exited;
      expect(code).toBe(1);
      expect(run.stderr(), run.stderr()).toMatch(/LOST ITS LOCKS/);
      await waitFor(() => isGone(agentPid!), { what: 'the agent stopped' });
      expect((await locks()).map((l) => [l.agent_id, l.file_path])).toEqual([['thief', 'f.txt']]);
    } finally {
      try {
        process.kill(supervisor, 'SIGCONT');
      } catch {
        // Already gone.
      }
      reap([agentPid!]);
    }
  });

  it('the next run after a SIGKILLed supervisor takes the same locks without waiting', async () => {
    const { start } = await onStore(kind);
    const root = project({ agents: [{ id: 'a', command: fixture('forever'), owns: ['x.txt'] }] });
    const first = start(root, ['run']);
    await waitFor(() => printedPids(first.stdout(), 'ready').length === 1, { what: 'agent ready' });
    const pids = printedPids(first.stdout(), 'ready');
    first.child.kill('SIGKILL');
    await first.exited;
    await allGone(pids);
    const second = start(root, ['run', '--on-conflict', 'fail']);
    try {
      await waitFor(() => printedPids(second.stdout(), 'ready').length === 1, { what: 'second run ready' });
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(143);
      expect(second.stderr()).not.toMatch(/lock conflict/);
    } finally {
      reap(printedPids(second.stdout(), 'ready'));
    }
  });
}));
