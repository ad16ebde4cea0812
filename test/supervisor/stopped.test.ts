// A supervisor stopped by SIGSTOP (which it cannot catch) must not leave its agents writing once
// their locks can be reclaimed: its watchdog, not stopped, hears no ping for the lease less one
// heartbeat and kills them first. Witness: the agent's own monotonic stamps against the grant
// stamp of the contender's lock record. SIGSTOP lands wherever the supervisor is: stopped inside
// the store's critical section (a heartbeat renewal, every 200 ms here) it blocks every writer
// until resumed (STORE_BUSY naming it, by design: a section cut short must not be broken into), so
// the test stops it at a moment it is outside, which is the case it is about.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sectionHolder } from '../../src/core/fs-store/mutex.js';
import { testDir } from '../helpers/tempdir.js';
import { isGone, waitFor } from '../helpers/wait-for.js';
import { cli, fixture, LOCK_DIR, locksOnDisk, printedPids, project, reap, start, stopOutsideSection } from './support.js';

function lastStamp(root: string): number {
  const lines = readFileSync(join(root, 'stamps.txt'), 'utf8').split('\n').filter(Boolean);
  return Number(lines.at(-1));
}

describe('a SIGSTOPped supervisor', () => {
  it('has its agents killed by the watchdog before its lease runs out, and says so when it resumes', async () => {
    const root = project({ heartbeatMs: 200, shutdownGraceMs: 500, agents: [{ id: 'writer', command: fixture('append-stamps', 'stamps.txt'), owns: ['stamps.txt'] }] });
    const run = start(root, ['run']);
    await waitFor(() => printedPids(run.stdout(), 'ready').length === 1, { what: 'agent ready' });
    const [agentPid] = printedPids(run.stdout(), 'ready');
    const supervisor = run.child.pid!;
    try {
      await stopOutsideSection(supervisor, join(root, LOCK_DIR));
      const contender = await cli(root, ['lock', 'stamps.txt', '--agent', 'contender', '--wait', '10s']);
      expect(contender.code, contender.stderr).toBe(0);
      // At the grant, nothing of the agent runs, and its last write came before it.
      expect(isGone(agentPid!)).toBe(true);
      const granted = locksOnDisk(root).find((l) => l.agent_id === 'contender') as unknown as { heartbeat_mono: number };
      expect(lastStamp(root)).toBeLessThan(granted.heartbeat_mono);
      process.kill(supervisor, 'SIGCONT');
      const { code } = await run.exited;
      expect(code).toBe(1);
      expect(run.stderr()).toMatch(/LOST ITS LOCKS/);
      expect(locksOnDisk(root).map((l) => [l.agent_id, l.file_path])).toEqual([['contender', 'stamps.txt']]);
      expect((locksOnDisk(root)[0] as unknown as { heartbeat_mono: number }).heartbeat_mono).toBe(granted.heartbeat_mono);
    } finally {
      try {
        process.kill(supervisor, 'SIGCONT');
      } catch {
        // Already gone.
      }
      reap([agentPid!]);
    }
  });

  it('stopped inside its critical section blocks writers, named (why the test above stops it outside)', async () => {
    const release = join(testDir(), 'release');
    const root = project({ agents: [{ id: 'writer', command: fixture('forever'), owns: ['w.txt'] }] });
    const dir = join(root, LOCK_DIR);
    const run = start(root, ['run'], { env: { AGENTVISOR_FAULTS: 'mutex.enter:1=pause', AGENTVISOR_FAULT_RELEASE: release } });
    const supervisor = run.child.pid!;
    try {
      await waitFor(() => sectionHolder(dir)?.pid === supervisor, { what: 'the supervisor paused inside its section' });
      process.kill(supervisor, 'SIGSTOP');
      const contender = await cli(root, ['lock', 'other.txt', '--agent', 'contender', '--wait', '1s']);
      expect(contender.code).toBe(1);
      expect(contender.stderr).toContain(`pid ${supervisor} (stopped)`);
    } finally {
      writeFileSync(release, '');
      try {
        process.kill(supervisor, 'SIGCONT');
        process.kill(supervisor, 'SIGTERM');
      } catch {
        // Already gone.
      }
      await run.exited;
    }
  });
});
