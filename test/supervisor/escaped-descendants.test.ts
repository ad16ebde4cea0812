// Descendants that leave the agent's process group and clear their environment (`env -i setsid
// cmd &`) must not outlive the agent's locks (issue 8, break 2). On Linux with a writable cgroup v2
// each agent runs in a cgroup of its own, killed and waited for as a whole before its locks go; the
// fallback (AGENTVISOR_CGROUP=0) tracks descendants by parent pid while the agent runs.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isGone, waitFor } from '../helpers/wait-for.js';
import { cgroupUsable } from '../../src/supervisor/cgroup.js';
import { capable } from '../helpers/capability.js';
import { history, project, reap, start } from './support.js';

/**
 * An agent that starts a daemon in a new session with an empty environment, waits until the daemon
 * wrote its pid, lingers `linger` seconds, and exits 0, leaving the daemon appending to daemon.txt.
 */
function escaper(linger: string): string {
  return `env -i /usr/bin/setsid /bin/sh -c 'echo $$ > dpid; while :; do echo x >> daemon.txt; sleep 0.01; done' & while [ ! -s dpid ]; do sleep 0.01; done; sleep ${linger}; exit 0`;
}

function daemonPid(root: string): number | null {
  const file = join(root, 'dpid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) || null : null;
}

describe('descendants that leave the group and clear their environment', () => {
  it.skipIf(!capable(cgroupUsable(), 'a cgroup v2 subtree agentvisor may manage (root, or a delegated cgroup)'))('are killed with the agent (its cgroup) before its locks are released', async () => {
    const root = project({ agents: [{ id: 'spawner', command: escaper('0'), owns: ['daemon.txt'] }] });
    const run = start(root, ['run']);
    try {
      const { code } = await run.exited;
      expect(code, run.stderr()).toBe(0);
      const pid = daemonPid(root)!;
      expect(pid).toBeGreaterThan(0);
      // Released only after nothing of the agent runs: the daemon is gone by then.
      expect(history(root).some((h) => h.event === 'released' && h.file_path === 'daemon.txt')).toBe(true);
      expect(isGone(pid)).toBe(true);
    } finally {
      const pid = daemonPid(root);
      if (pid) reap([pid]);
    }
  });

  it('without a cgroup, are found by parent pid while the agent runs, and killed with it', async () => {
    const root = project({ agents: [{ id: 'spawner', command: escaper('0.5'), owns: ['daemon.txt'] }] });
    const run = start(root, ['run'], { env: { AGENTVISOR_CGROUP: '0' } });
    try {
      await waitFor(() => daemonPid(root), { what: 'the daemon started' });
      const { code } = await run.exited;
      expect(code, run.stderr()).toBe(0);
      expect(isGone(daemonPid(root)!)).toBe(true);
    } finally {
      const pid = daemonPid(root);
      if (pid) reap([pid]);
    }
  });
});
