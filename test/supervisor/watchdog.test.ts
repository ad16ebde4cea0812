// The watchdog as the last line of crash safety: a SIGKILLed supervisor's locks stay alive until
// the watchdog has killed its agents (no second writer, even for milliseconds; on both stores), and
// a dead watchdog is noticed and replaced, so a later supervisor crash still takes the agents with
// it (the watchdog's own life: on the file store only).

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { onStore } from '../cli/support.js';
import { cleanEnv } from '../helpers/cli.js';
import { forEachStore } from '../helpers/stores.js';
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

/** The live watchdog of the supervisor `parent` (its child running the `agentvisor-watchdog` loop), or null. */
function watchdogOf(parent: number): number | null {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) !== parent || state === 'Z') continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes('agentvisor-watchdog')) return Number(name);
    } catch {
      // Gone while we looked.
    }
  }
  return null;
}

function lockRecords(root: string): { watchdog_pid?: number }[] {
  const dir = join(root, LOCK_DIR);
  return readdirSync(dir).filter((n) => n.endsWith('.lock')).flatMap((n) => {
    try {
      return [JSON.parse(readFileSync(join(dir, n), 'utf8')) as { watchdog_pid?: number }];
    } catch {
      return [];
    }
  });
}

/** The pids of the running agents as their board entries say (each leads its process group). */
function agentPids(root: string): number[] {
  const dir = join(root, LOCK_DIR, 'agents');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    try {
      const entry = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { status: string; pid: number | null };
      return entry.status === 'running' && entry.pid ? [entry.pid] : [];
    } catch {
      return [];
    }
  });
}

function reapGroups(pgids: number[]): void {
  for (const pgid of pgids) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

/** Start the intruder (on the store `env` names); resolves its grant time once it has taken the lock. */
function intruder(root: string, path: string, env: Record<string, string>): { trying: Promise<void>; granted: Promise<number> } {
  const child = spawn(process.execPath, [GRAB, join(root, LOCK_DIR), path, 'intruder'], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'inherit'] });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const trying = waitFor(() => out.includes('trying'), { what: 'the intruder trying' }).then(() => undefined);
  const granted = waitFor(() => /granted (\S+)/.exec(out)?.[1], { timeoutMs: 12_000, what: 'the intruder granted' }).then(Number);
  return { trying, granted };
}

forEachStore((kind) => describe('watchdog', () => {
  it("a SIGKILLed supervisor's lock is granted to someone else only after its agent's last write", async () => {
    const { env, start } = onStore(kind.name);
    const stamps = join(testDir({}), 'stamps');
    // Lease 15 s: a grant much sooner than that came from the liveness rule, not from the lease.
    const root = project({ heartbeatMs: 5_000, agents: [{ id: 'writer', command: fixture('append-stamps', stamps), owns: ['x.txt'] }] });
    const run = start(root, ['run']);
    try {
      await waitFor(() => printedPids(run.stdout(), 'ready').length === 1 && lastStamp(stamps) !== null, { what: 'the agent writing' });
      const grab = intruder(root, 'x.txt', env);
      await grab.trying;
      const killedAt = Number(process.hrtime.bigint()) / 1e6;
      run.child.kill('SIGKILL');
      const granted = await grab.granted;
      // Freed by the liveness rule once the watchdog is done, not by the lease running out.
      expect(granted - killedAt).toBeLessThan(8_000);
      await allGone(printedPids(run.stdout(), 'ready'));
      // (On PostgreSQL `granted` is when the grant came back to the intruder: the reply's travel later.)
      const last = lastStamp(stamps)!;
      expect(last, `the agent wrote ${(last - granted).toFixed(1)} ms after the intruder's grant`).toBeLessThan(granted);
    } finally {
      reap(printedPids(run.stdout(), 'ready'));
    }
  });
}));

// File-only: the watchdog's own life (its pid in the lock files), the same on either store.
describe('watchdog', () => {
  it('a dead watchdog is replaced, so a supervisor SIGKILLed afterwards still takes its agents with it', async () => {
    const root = project({
      agents: [
        { id: 'one', command: fixture('forever'), owns: ['one/**'] },
        { id: 'two', command: fixture('spawn-grandchild', 'gc.pid', 'wait', 'escape'), owns: ['two/**'] },
      ],
    }, { 'one/': null, 'two/': null });
    const run = start(root, ['run']);
    const supervisor = run.child.pid!;
    await waitFor(() => printedPids(run.stdout(), 'ready').length === 1 && printedPids(run.stdout(), 'grandchild').length === 1, { what: 'agents ready' });
    const pids = [...printedPids(run.stdout(), 'ready'), ...printedPids(run.stdout(), 'grandchild')];
    // Should the test fail, what the watchdog did not kill must not outlive it: the agents' groups too.
    const groups = await waitFor(() => (agentPids(root).length === 2 ? agentPids(root) : null), { what: 'agents on the board' });
    try {
      const first = await waitFor(() => watchdogOf(supervisor), { what: 'the watchdog' });
      process.kill(first, 'SIGKILL');
      const second = await waitFor(() => {
        const now = watchdogOf(supervisor);
        return now !== first ? now : null;
      }, { timeoutMs: 5_000, what: 'a new watchdog' });
      // The next heartbeat names the new one in the locks.
      await waitFor(() => lockRecords(root).length === 2 && lockRecords(root).every((l) => l.watchdog_pid === second), { timeoutMs: 3_000, what: 'the locks naming the new watchdog' });
      await waitFor(() => /the watchdog \(pid \d+\) was killed by SIGKILL: starting a new one/.test(run.stderr()), { what: 'the replacement said' });
      run.child.kill('SIGKILL');
      await allGone(pids, 5_000);
    } finally {
      reap(pids);
      reapGroups(groups);
    }
  });

  it('a watchdog that keeps dying stops the run, loudly (exit 1)', async () => {
    const root = project({ agents: [{ id: 'one', command: fixture('forever'), owns: ['one/**'] }] }, { 'one/': null });
    const run = start(root, ['run']);
    const supervisor = run.child.pid!;
    await waitFor(() => printedPids(run.stdout(), 'ready').length === 1, { what: 'agent ready' });
    const pids = printedPids(run.stdout(), 'ready');
    try {
      let killed: number | null = null;
      for (let death = 1; death <= 4; death++) {
        const current = await waitFor(() => {
          const now = watchdogOf(supervisor);
          return now !== killed ? now : null;
        }, { timeoutMs: 5_000, what: `watchdog number ${death}` });
        process.kill(current, 'SIGKILL');
        killed = current;
      }
      const { code } = await run.exited;
      expect(code).toBe(1);
      expect(run.stderr()).toMatch(/4 times within 60 s: stopping the run/);
      await allGone(pids);
    } finally {
      reap(pids);
    }
  });
});
