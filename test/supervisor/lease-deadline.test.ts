// Never two writers, on the supervisor's side (issue 8, breaks 1, 3 and 4): when renewals fail, the
// agent is killed before its lease can run out (a deadline of its own, counted from the last
// successful renewal, not the next heartbeat tick); a supervisor stopped while its renewals were
// failing is covered by its watchdog counting from that same renewal; a lock an agent takes under
// another agent id is renewed for as long as the agent runs. Witness: the agent's own monotonic
// stamps against the monotonic grant stamp of an intruder that tries every millisecond.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BIN, cleanEnv } from '../helpers/cli.js';
import { isGone, waitFor } from '../helpers/wait-for.js';
import { fixture, LOCK_DIR, locksOnDisk, printedPids, project, reap, start } from './support.js';

const GRAB = fileURLToPath(new URL('../fixtures/supervisor/grab-when-free.mjs', import.meta.url));
const monoNow = (): number => Number(process.hrtime.bigint()) / 1e6;

function lastStamp(file: string): number {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  return Number(lines.at(-1) ?? 0);
}

interface Intruder {
  child: ChildProcess;
  /** CLOCK_MONOTONIC ms of its grant, once granted. */
  grantedAt(): number | null;
}

/** A process that tries to take `path` about every millisecond until it is granted. */
function intruder(root: string, path: string): Intruder {
  const child = spawn(process.execPath, [GRAB, join(root, LOCK_DIR), path, 'intruder'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    grantedAt: () => {
      const match = /granted (\S+)/.exec(out);
      return match ? Number(match[1]) : null;
    },
  };
}

function heartbeatMono(root: string, agent: string): number | null {
  const lock = locksOnDisk(root).find((l) => l.agent_id === agent) as unknown as { heartbeat_mono?: number } | undefined;
  return lock?.heartbeat_mono ?? null;
}

describe('the kill deadline', () => {
  it('kills an agent whose renewals fail before its lease can run out (no second writer)', async () => {
    // Lease 1.8 s, kill deadline 1.2 s after the grant: time enough for the agent to start.
    const root = project({ heartbeatMs: 600, agents: [{ id: 'writer', command: fixture('append-stamps', 'stamps.txt'), owns: ['stamps.txt'] }] });
    // Every renewal of the supervisor fails as a full disk would make it.
    const run = start(root, ['run'], { env: { AGENTVISOR_FAULTS: 'lock-file.rename=errno:EIO' } });
    try {
      await waitFor(() => printedPids(run.stdout(), 'ready').length === 1, { what: 'agent ready' });
      const [agentPid] = printedPids(run.stdout(), 'ready');
      const grab = intruder(root, 'stamps.txt');
      const granted = await waitFor(() => grab.grantedAt(), { what: 'the intruder granted once the lease ran out' });
      // At the grant nothing of the agent runs, and its last write came before it.
      expect(isGone(agentPid!)).toBe(true);
      expect(lastStamp(join(root, 'stamps.txt'))).toBeLessThan(granted);
      const { code } = await run.exited;
      expect(code).toBe(1);
      expect(run.stderr()).toMatch(/LOST ITS LOCKS/);
    } finally {
      reap(printedPids(run.stdout(), 'ready'));
    }
  });

  it('a supervisor stopped while its renewals fail has its agent killed by the watchdog before the lease runs out', async () => {
    const root = project({ heartbeatMs: 800, agents: [{ id: 'writer', command: fixture('append-stamps', 'stamps.txt'), owns: ['stamps.txt'] }] });
    const run = start(root, ['run'], { env: { AGENTVISOR_FAULTS: 'lock-file.rename=errno:EIO' } });
    const supervisor = run.child.pid!;
    try {
      await waitFor(() => printedPids(run.stdout(), 'ready').length === 1, { what: 'agent ready' });
      const [agentPid] = printedPids(run.stdout(), 'ready');
      const renewed = heartbeatMono(root, 'writer')!;
      // Stopped after more than one failed heartbeat, before the supervisor's own deadline (two).
      await waitFor(() => monoNow() > renewed + 1.5 * 800, { what: 'a heartbeat and a half without renewal' });
      process.kill(supervisor, 'SIGSTOP');
      const grab = intruder(root, 'stamps.txt');
      const granted = await waitFor(() => grab.grantedAt(), { what: 'the intruder granted once the lease ran out' });
      expect(isGone(agentPid!)).toBe(true);
      expect(lastStamp(join(root, 'stamps.txt'))).toBeLessThan(granted);
    } finally {
      try {
        process.kill(supervisor, 'SIGCONT');
      } catch {
        // Already gone.
      }
      reap(printedPids(run.stdout(), 'ready'));
    }
  });
});

describe('a lock an agent takes under another agent id', () => {
  it('is renewed while the agent runs, and released (after its death) when it ends', async () => {
    const take = [process.execPath, BIN, 'lock', 'other.txt', '--agent', 'other'].map((w) => `'${w}'`).join(' ');
    const root = project({ heartbeatMs: 400, agents: [{ id: 'taker', command: `${take} && exec ${fixture('append-stamps', 'stamps.txt')}` }] });
    const run = start(root, ['run']);
    try {
      await waitFor(() => printedPids(run.stdout(), 'ready').length === 1, { what: 'agent ready' });
      const [agentPid] = printedPids(run.stdout(), 'ready');
      const grab = intruder(root, 'other.txt');
      const takenAt = monoNow();
      // Three leases of 1.2 s: the lock is still held and renewed (before: reclaimed after one).
      await waitFor(() => monoNow() > takenAt + 3_600 || grab.grantedAt() !== null, { timeoutMs: 10_000, what: 'three leases' });
      expect(grab.grantedAt()).toBeNull();
      expect(heartbeatMono(root, 'other')).toBeGreaterThan(takenAt + 1_200);
      run.child.kill('SIGTERM');
      const granted = await waitFor(() => grab.grantedAt(), { what: 'the intruder granted once the agent ended' });
      expect(isGone(agentPid!)).toBe(true);
      expect(lastStamp(join(root, 'stamps.txt'))).toBeLessThan(granted);
      await run.exited;
    } finally {
      reap(printedPids(run.stdout(), 'ready'));
    }
  });
});
