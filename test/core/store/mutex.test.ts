// File-only: the file store's directory mutex.
// The critical section's mutex in the cases that break a naive one: the coordination dir deleted
// and made again while a process is inside (a new inode), and a holder stopped inside (SIGSTOP):
// writers give up with STORE_BUSY naming it, readers never wait for it.

import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AcquireResult } from '../../../src/index.js';
import { fixture, guardProject, LOCK_DIR } from '../../guard/support.js';
import { runCli } from '../../helpers/cli.js';
import { testDir } from '../../helpers/tempdir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { resultOf, runActor, spawnActor, staysFalse } from './support.js';

describe('the coordination dir deleted and made again while a process is inside', () => {
  it('still excludes: a process that sees the new dir waits for the one inside the old', async () => {
    const root = testDir();
    const dir = join(root, 'locks');
    const release = join(root, 'go');
    const inside = spawnActor(dir, [{ op: 'acquire', agent: 'a', paths: ['x'] }], { AGENTVISOR_FAULTS: 'acquire.in-mutex=pause', AGENTVISOR_FAULT_RELEASE: release });
    inside.child.stdin!.end();
    await waitFor(() => existsSync(`${release}.paused`), { what: 'the first process inside the mutex' });
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);

    const next = spawnActor(dir, [{ op: 'ready' }, { op: 'acquire', agent: 'b', paths: ['y'] }]);
    next.child.stdin!.end();
    try {
      await next.line((l) => l.op === 'ready');
      expect(await staysFalse(() => next.lines.some((l) => l.op === 'acquire'), 400)).toBe(true);
    } finally {
      writeFileSync(release, '');
    }
    const ends = await Promise.all([inside.exited, next.exited]);
    expect(ends.map((e) => e.code)).toEqual([0, 0]);
    expect(resultOf<AcquireResult>(next.lines, 'acquire').granted).toBe(true);
  });
});

describe('a holder stopped inside the critical section', () => {
  it('writers fail with STORE_BUSY naming it after their bound; check, status and guard do not wait at all', async () => {
    const root = guardProject({ 'src/api/users.ts': 'x\n' });
    const dir = join(root, LOCK_DIR);
    const release = join(root, 'go');
    await runActor(dir, [{ op: 'acquire', agent: 'api', paths: ['src/api/**'], owner: 'none' }, { op: 'flush' }]);
    const holder = spawnActor(dir, [{ op: 'acquire', agent: 'a', paths: ['y'] }], { AGENTVISOR_FAULTS: 'acquire.in-mutex=pause', AGENTVISOR_FAULT_RELEASE: release });
    holder.child.stdin!.end();
    await waitFor(() => existsSync(`${release}.paused`), { what: 'the holder inside the mutex' });
    holder.child.kill('SIGSTOP');
    try {
      const env = { AGENTVISOR_STORE_BUSY_MS: '700' };
      const started = Date.now();
      const lock = await runCli(['lock', 'src/z.ts', '--agent', 'b'], { cwd: root, env, timeoutMs: 10_000 });
      expect(lock.signal).toBeNull();
      expect(lock.code, lock.stderr).toBe(1);
      expect(lock.stderr).toContain(`pid ${holder.child.pid} (stopped)`);
      expect(lock.stderr).toContain(`kill -CONT ${holder.child.pid}`);
      expect(Date.now() - started).toBeLessThan(5_000);

      // A waiting request waits for the mutex up to its own timeout, then says the same.
      const waiting = await runActor(dir, [{ op: 'acquire', agent: 'c', paths: ['w'], wait: true, timeoutMs: 900 }], env);
      const failed = waiting.lines.find((l) => l.op === 'acquire');
      expect(failed?.error).toMatchObject({ code: 'STORE_BUSY', facts: { holderPid: holder.child.pid, holderState: 'T' } });
      expect((failed?.error?.facts?.waitedMs as number) >= 900).toBe(true);

      // Readers take no mutex: they answer at once.
      const check = await runCli(['check', 'src/api/users.ts', '--agent', 'b'], { cwd: root, env, timeoutMs: 10_000 });
      expect(check.code, check.stderr).toBe(3);
      const status = await runCli(['status', '--json'], { cwd: root, env, timeoutMs: 10_000 });
      expect(status.code, status.stderr).toBe(0);
      const guard = await runCli(['guard', '--agent', 'b'], { cwd: root, env, input: fixture('claude-write', root), timeoutMs: 10_000 });
      expect(guard.code, guard.stderr).toBe(2);
    } finally {
      holder.child.kill('SIGCONT');
      writeFileSync(release, '');
    }
    expect((await holder.exited).code).toBe(0);
  });
});
