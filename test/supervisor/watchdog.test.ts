// The watchdog as the last line of crash safety: a SIGKILLed supervisor's locks stay alive until
// the watchdog has killed its agents (no second writer, even for milliseconds), and a dead watchdog
// is noticed and replaced, so a later supervisor crash still takes the agents with it.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { testDir } from '../helpers/tempdir.js';
import { waitFor } from '../helpers/wait-for.js';
import { allGone, fixture, LOCK_DIR, printedPids, project, reap, start } from './support.js';

const GRAB = fileURLToPath(new URL('../fixtures/supervisor/grab-when-free.mjs', import.meta.url));

/** The last stamp the agent wrote (CLOCK_MONOTONIC ms), or null before its first. */
function lastStamp(file: string): number | null {
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const last = lines.at(-1);
  return last === undefined ? null : Number(last);
}

/** Start the intruder; resolves its grant time once it has taken the lock. */
function intruder(root: string, path: string): { trying: Promise<void>; granted: Promise<number> } {
  const child = spawn(process.execPath, [GRAB, join(root, LOCK_DIR), path, 'intruder'], { stdio: ['ignore', 'pipe', 'inherit'] });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const trying = waitFor(() => out.includes('trying'), { what: 'the intruder trying' }).then(() => undefined);
  const granted = waitFor(() => /granted (\S+)/.exec(out)?.[1], { timeoutMs: 10_000, what: 'the intruder granted' }).then(Number);
  return { trying, granted };
}

describe('watchdog', () => {
  it("a SIGKILLed supervisor's lock is granted to someone else only after its agent's last write", async () => {
    const stamps = join(testDir({}), 'stamps');
    // Lease 3 s: a grant sooner than that came from the liveness rule, not from the lease.
    const root = project({ agents: [{ id: 'writer', command: fixture('append-stamps', stamps), owns: ['x.txt'] }] });
    const run = start(root, ['run']);
    try {
      await waitFor(() => printedPids(run.stdout(), 'ready').length === 1 && lastStamp(stamps) !== null, { what: 'the agent writing' });
      const grab = intruder(root, 'x.txt');
      await grab.trying;
      const killedAt = Number(process.hrtime.bigint()) / 1e6;
      run.child.kill('SIGKILL');
      const granted = await grab.granted;
      // Freed by the liveness rule once the watchdog is done, not by the lease running out.
      expect(granted - killedAt).toBeLessThan(2_500);
      await allGone(printedPids(run.stdout(), 'ready'));
      const last = lastStamp(stamps)!;
      expect(last, `the agent wrote ${(last - granted).toFixed(1)} ms after the intruder's grant`).toBeLessThan(granted);
    } finally {
      reap(printedPids(run.stdout(), 'ready'));
    }
  });
});
