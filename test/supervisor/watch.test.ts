// The change watcher of `run` watches the project and nothing beside it: it starts beside the
// agents and then looks again for files it may have missed, which once listed and watched the
// project's parent folder (all of /tmp) and made short runs take seconds. Witness: the kernel's
// own list of the supervisor's inotify watches.

import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../helpers/tempdir.js';
import { waitFor } from '../helpers/wait-for.js';
import { fixture, history, printedPids, reap, start } from './support.js';

const SIBLINGS = 40;

/** inotify watches a process holds, counted from /proc/PID/fdinfo. */
function inotifyWatches(pid: number): number {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:inotify') continue;
      count += readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
    } catch {
      // Closed while we looked.
    }
  }
  return count;
}

describe('the change watcher', () => {
  it('watches the project, never the folders beside it', async () => {
    const config = { heartbeatMs: 1_000, shutdownGraceMs: 1_000, agents: [{ id: 'idle', command: fixture('forever'), owns: ['src/**'] }] };
    const siblings = Object.fromEntries(Array.from({ length: SIBLINGS }, (_, i) => [`beside-${i}/`, null]));
    const parent = testDir({ 'project/agents.config.json': JSON.stringify(config), 'project/src/': null, ...siblings });
    const root = join(parent, 'project');
    const run = start(root, ['run']);
    await waitFor(() => printedPids(run.stdout(), 'ready').length === 1, { what: 'agent ready' });
    const pids = printedPids(run.stdout(), 'ready');
    try {
      // A change the watcher records: it is ready, and its second look has had its turn.
      writeFileSync(join(root, 'src', 'probe.txt'), 'x');
      await waitFor(() => history(root).some((h) => h.event === 'modified' && h.file_path === 'src/probe.txt'), { what: 'the probe recorded' });
      expect(inotifyWatches(run.child.pid!)).toBeGreaterThan(0);
      expect(inotifyWatches(run.child.pid!)).toBeLessThan(SIBLINGS);
      run.child.kill('SIGINT');
      expect((await run.exited).code).toBe(130);
    } finally {
      reap(pids);
    }
  });
});
