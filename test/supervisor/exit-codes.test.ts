// Every exit code of `run` by the contract's order: 2 config error, 3 lock conflict or timeout,
// 124 --timeout, 130/143 signals, 1 a failed agent, 0.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { allGone, cli, fixture, fixtureArgv, LOCK_DIR, locksOnDisk, printedPids, project, reap, start } from './support.js';

describe('run exit codes', () => {
  it('2 for a bad config: nothing started, no lock taken', async () => {
    const root = project({ agents: [{ id: 'a', command: 'touch started', owns: ['x'] }, { id: 'a', command: 'true' }] });
    const { code, stderr } = await cli(root, ['run']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/agents\[1\]/);
    expect(existsSync(join(root, 'started'))).toBe(false);
    expect(existsSync(join(root, LOCK_DIR))).toBe(false);
  });

  it('2 for bad options', async () => {
    const root = project({ agents: [{ id: 'a', command: 'true' }] });
    expect((await cli(root, ['run', '--timeout', 'soon'])).code).toBe(2);
    expect((await cli(root, ['run', '--on-conflict', 'maybe'])).code).toBe(2);
  });

  it('3 when a lock is held and onConflict is fail, stopping the agents already running', async () => {
    const root = project({
      agents: [
        { id: 'runner', command: fixture('forever'), owns: ['free.txt'] },
        { id: 'blocked', command: 'echo must-not-run', owns: ['held.txt'], dependsOn: ['gate'] },
        { id: 'gate', command: 'sleep 0.3' },
      ],
    });
    expect((await cli(root, ['lock', 'held.txt', '--agent', 'someone'])).code).toBe(0);
    const { code, stdout, stderr } = await cli(root, ['run', '--on-conflict', 'fail']);
    expect(code, stderr).toBe(3);
    expect(stdout).not.toContain('must-not-run');
    expect(stderr).toMatch(/held\.txt.*someone/);
    await allGone(printedPids(stdout, 'ready'));
    expect(locksOnDisk(root).map((l) => l.agent_id)).toEqual(['someone']);
  });

  it('3 when waiting for a lock passes --lock-timeout', async () => {
    const root = project({ agents: [{ id: 'late', command: 'echo must-not-run', owns: ['held.txt'] }] });
    await cli(root, ['lock', 'held.txt', '--agent', 'someone']);
    const { code, stdout, stderr } = await cli(root, ['run', '--lock-timeout', '300ms']);
    expect(code).toBe(3);
    expect(stdout).not.toContain('must-not-run');
    expect(stderr).toMatch(/waiting for held\.txt/);
  });

  it('124 when --timeout passes; an agent ignoring SIGTERM is SIGKILLed after the grace period', async () => {
    const root = project({ shutdownGraceMs: 300, agents: [{ id: 'stubborn', command: fixture('ignore-sigterm'), owns: ['x'] }] });
    // Long enough for node to start the agent and install its handler on a loaded machine: with
    // 500 ms, SIGTERM sometimes came first and killed it before it could ignore anything.
    const { code, stdout } = await cli(root, ['run', '--timeout', '2s']);
    expect(code).toBe(124);
    expect(stdout).toContain('[stubborn] ignoring SIGTERM');
    await allGone(printedPids(stdout, 'ready'));
    expect(locksOnDisk(root)).toEqual([]);
  });

  it('1 when an agent fails, is killed, or passes its own timeoutMs; 0 when it may fail', async () => {
    const failing = project({ agents: [{ id: 'ok', command: 'true' }, { id: 'bad', command: fixtureArgv('exit-with', '5') }] });
    expect((await cli(failing, ['run'])).code).toBe(1);
    const killed = project({ agents: [{ id: 'killed', command: fixtureArgv('exit-with', 'SIGKILL') }] });
    const k = await cli(killed, ['run']);
    expect(k.code).toBe(1);
    expect(k.stderr).toMatch(/killed\s+SIGKILL/);
    const slow = project({ agents: [{ id: 'slow', command: fixture('forever'), timeoutMs: 300 }] });
    const s = await cli(slow, ['run']);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain('timed out after 300 ms');
    const allowed = project({ agents: [{ id: 'bad', command: fixtureArgv('exit-with', '5'), allowFailure: true }, { id: 'ok', command: 'true' }] });
    expect((await cli(allowed, ['run'])).code).toBe(0);
  });

  it('--kill-others-on-fail stops the rest when one fails', async () => {
    const root = project({ agents: [{ id: 'long', command: fixture('forever') }, { id: 'bad', command: fixtureArgv('exit-with', '2', '200') }] });
    const { code, stdout } = await cli(root, ['run', '--kill-others-on-fail']);
    expect(code).toBe(1);
    await allGone(printedPids(stdout, 'ready'));
  });

  for (const [signal, expected] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${expected} on ${signal}: no process and no lock left`, async () => {
      const root = project({
        shutdownGraceMs: 500,
        agents: [
          { id: 'calm', command: fixture('forever'), owns: ['a/**'] },
          { id: 'stubborn', command: fixture('ignore-sigterm'), owns: ['b/**'] },
          { id: 'parent', command: fixture('spawn-grandchild', 'gc.pid', 'wait'), reads: ['c/**'] },
        ],
      }, { 'a/': null, 'b/': null });
      const run = start(root, ['run']);
      await waitFor(() => printedPids(run.stdout(), 'ready').length === 2 && printedPids(run.stdout(), 'grandchild').length === 1, { what: 'agents ready' });
      const pids = [...printedPids(run.stdout(), 'ready'), ...printedPids(run.stdout(), 'grandchild')];
      try {
        run.child.kill(signal);
        const { code } = await run.exited;
        expect(code, run.stderr()).toBe(expected);
        await allGone(pids);
        expect(locksOnDisk(root)).toEqual([]);
      } finally {
        reap(pids);
      }
    });
  }

  it('gives a command run through `sh -c` its grace period too (the shell dies of SIGTERM at once)', async () => {
    const root = project({ shutdownGraceMs: 5_000, agents: [{ id: 'tidy', command: `${fixture('clean-up-on-sigterm', 'cleaned.txt')}; echo after` }] });
    const run = start(root, ['run']);
    await waitFor(() => printedPids(run.stdout(), 'ready').length === 1, { what: 'agent ready' });
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(143);
    expect(readFileSync(join(root, 'cleaned.txt'), 'utf8')).toBe('cleaned\n');
  });

  it('a second SIGINT kills at once, without waiting for the grace period', async () => {
    const root = project({ shutdownGraceMs: 30_000, agents: [{ id: 'stubborn', command: fixture('ignore-sigterm'), owns: ['x'] }] });
    const run = start(root, ['run']);
    await waitFor(() => printedPids(run.stdout(), 'ready').length === 1, { what: 'agent ready' });
    const pids = printedPids(run.stdout(), 'ready');
    try {
      run.child.kill('SIGINT');
      await waitFor(() => run.stdout().includes('ignoring SIGTERM'), { what: 'SIGTERM forwarded' });
      const second = Date.now();
      run.child.kill('SIGINT');
      const { code } = await run.exited;
      expect(code).toBe(130);
      expect(Date.now() - second).toBeLessThan(5_000);
      await allGone(pids);
      expect(locksOnDisk(root)).toEqual([]);
    } finally {
      reap(pids);
    }
  });
});
