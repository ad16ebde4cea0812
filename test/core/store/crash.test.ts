// File-only: SIGKILL at the file store's own steps (lock files, txn files, the link, the dir's mutex).
// A SIGKILLed holder's locks reclaimed once, on both stores: test/store-contract/processes.test.ts.
// Crashes where they hurt, by SIGKILL at named fault points: in the middle of a multi-path
// acquisition, inside the critical section, and two processes reclaiming one stale lock at once.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AcquireResult, LockRecord } from '../../../src/index.js';
import { testDir } from '../../helpers/tempdir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { deadPid, listing, staysFalse, lockRecord, mutexHeld, resultOf, runActor, spawnActor, writeLockFile } from './support.js';

describe('SIGKILL during a multi-path acquisition', () => {
  it('after 2 of 3 lock files: nothing counts as granted, others proceed, leftovers are removed', async () => {
    const dir = join(testDir(), 'locks');
    // pid null: without the txn rule these files would hold for an hour.
    const crashed = await runActor(dir, [{ op: 'acquire', agent: 'a', paths: ['src/a.ts', 'src/b.ts', 'src/c.ts'], owner: 'none' }], {
      AGENTVISOR_FAULTS: 'acquire.after-lock-file:2=kill',
    });
    expect(crashed.signal).toBe('SIGKILL');
    const left = listing(dir);
    expect(left.locks).toHaveLength(2);
    expect(left.txns).toHaveLength(1);

    // A reader outside the critical section already ignores them.
    const { lines } = await runActor(dir, [
      { op: 'list' },
      { op: 'check', agent: 'b', paths: ['src/**'] },
      { op: 'acquire', agent: 'b', paths: ['src/a.ts'] },
    ]);
    expect(resultOf<LockRecord[]>(lines, 'list')).toEqual([]);
    expect(resultOf<unknown[]>(lines, 'check')).toEqual([]);
    expect(resultOf<AcquireResult>(lines, 'acquire').granted).toBe(true);
    const after = listing(dir);
    expect(after.txns).toEqual([]);
    expect(after.locks).toHaveLength(1);
    expect(readFileSync(join(dir, after.locks[0]!), 'utf8')).toContain('"agent_id":"b"');
  });
});

describe('SIGKILL during a single-path acquisition (no txn file: the link is the commit)', () => {
  it('before the link: nothing granted, the temp file is swept; after it: granted, and reclaimed once its holder is dead', async () => {
    const dir = join(testDir(), 'locks');
    const before = await runActor(dir, [{ op: 'acquire', agent: 'a', paths: ['src/a.ts'] }], { AGENTVISOR_FAULTS: 'lock-file.link=kill' });
    expect(before.signal).toBe('SIGKILL');
    expect(listing(dir)).toMatchObject({ locks: [], txns: [] });
    expect(listing(dir).temps).toHaveLength(1);
    const next = await runActor(dir, [{ op: 'check', agent: 'b', paths: ['src/**'] }, { op: 'acquire', agent: 'b', paths: ['src/b.ts'] }, { op: 'release', agent: 'b', paths: ['src/b.ts'] }]);
    expect(resultOf<unknown[]>(next.lines, 'check')).toEqual([]);
    expect(listing(dir)).toEqual({ locks: [], txns: [], temps: [] });

    const after = await runActor(dir, [{ op: 'acquire', agent: 'a', paths: ['src/a.ts'] }], { AGENTVISOR_FAULTS: 'acquire.after-lock-file:1=kill' });
    expect(after.signal).toBe('SIGKILL');
    expect(listing(dir)).toMatchObject({ txns: [], temps: [] });
    expect(listing(dir).locks).toHaveLength(1);
    const taker = await runActor(dir, [{ op: 'acquire', agent: 'b', paths: ['src/*.ts'] }]);
    expect(resultOf<AcquireResult>(taker.lines, 'acquire').granted).toBe(true);
    const history = readFileSync(join(dir, 'history.jsonl'), 'utf8');
    expect(history.match(/"agent_id":"a","file_path":"src\/a.ts","event":"reclaimed"/g)).toHaveLength(1);
  });
});

describe('SIGKILL inside the critical section', () => {
  it('a process waiting for the mutex goes on as soon as the holder dies', async () => {
    const dir = join(testDir(), 'locks');
    const stuck = spawnActor(dir, [{ op: 'acquire', agent: 'a', paths: ['x'] }], { AGENTVISOR_FAULTS: 'acquire.in-mutex=pause' });
    await waitFor(() => existsSync(dir) && mutexHeld(dir), { what: 'the first process inside the mutex' });

    const next = spawnActor(dir, [{ op: 'ready' }, { op: 'acquire', agent: 'b', paths: ['y'] }]);
    next.child.stdin!.end();
    await next.line((l) => l.op === 'ready');
    // While the holder lives (paused inside), the other cannot get in.
    expect(await staysFalse(() => next.lines.some((l) => l.op === 'acquire'), 300)).toBe(true);

    const killedAt = Date.now();
    stuck.child.kill('SIGKILL');
    const granted = await next.line((l) => l.op === 'acquire');
    expect((granted.result as AcquireResult).granted).toBe(true);
    expect(Date.now() - killedAt).toBeLessThan(1500);
    expect((await next.exited).code).toBe(0);
  });
});

describe('two processes judging one stale lock at the same moment', () => {
  it('exactly one of them gets it, and it is reclaimed once', async () => {
    const root = testDir();
    const dir = join(root, 'locks');
    const release = join(root, 'go');
    writeLockFile(dir, 'stale.lock', lockRecord({ agent_id: 'gone', file_path: 'src/**', pid: await deadPid(), token: 7 }));
    const env = { AGENTVISOR_FAULTS: 'acquire.before-mutex=pause', AGENTVISOR_FAULT_RELEASE: release };
    const racers = ['a', 'b'].map((agent) =>
      // Each holds what it got until the end, so the loser cannot outlive the winner's pid.
      spawnActor(dir, [{ op: 'check', agent, paths: ['src/x.ts'] }, { op: 'acquire', agent, paths: ['src/x.ts'] }, { op: 'hold' }], env),
    );
    // Both have judged the lock stale (no conflict) and stand at the door of the critical section.
    for (const racer of racers) expect((await racer.line((l) => l.op === 'check')).result).toEqual([]);
    writeFileSync(release, '');
    await Promise.all(racers.map((r) => r.line((l) => l.op === 'acquire')));
    for (const racer of racers) racer.child.stdin!.end();
    await Promise.all(racers.map((r) => r.exited));
    const results = racers.map((r) => resultOf<AcquireResult>(r.lines, 'acquire'));
    expect(results.filter((r) => r.granted)).toHaveLength(1);
    const loser = results.find((r) => !r.granted)!;
    expect(loser.granted === false && loser.conflicts[0]?.lock_path).toBe('src/x.ts');
    const history = readFileSync(join(dir, 'history.jsonl'), 'utf8');
    // (the winner's own lock is reclaimed later, when its process has exited: token 8)
    expect(history.match(/"event":"reclaimed","token":7/g)).toHaveLength(1);
  });
});

describe('a reader while a crashed acquisition is recovered', () => {
  it('never sees the abandoned lock files as held, even when it read them before recovery removed them', async () => {
    const root = testDir();
    const dir = join(root, 'locks');
    const release = join(root, 'go');
    const crashed = await runActor(dir, [{ op: 'acquire', agent: 'a', paths: ['src/a.ts', 'src/b.ts'], owner: 'none' }], {
      AGENTVISOR_FAULTS: 'acquire.after-lock-file:2=kill',
    });
    expect(crashed.signal).toBe('SIGKILL');
    expect(listing(dir).txns).toHaveLength(1);
    // The reader has read both lock files and stops before it lists the txn files...
    const reader = spawnActor(dir, [{ op: 'list' }], { AGENTVISOR_FAULTS: 'live-locks.after-read=pause', AGENTVISOR_FAULT_RELEASE: release });
    reader.child.stdin!.end();
    try {
      await waitFor(() => existsSync(`${release}.paused`), { what: 'the reader to stop after reading the lock files' });
      // ...while a section recovers the acquisition: lock files first, then the txn.
      await runActor(dir, [{ op: 'cleanup' }]);
      expect(listing(dir)).toMatchObject({ locks: [], txns: [] });
    } finally {
      writeFileSync(release, '');
    }
    expect((await reader.exited).code).toBe(0);
    expect(resultOf<LockRecord[]>(reader.lines, 'list')).toEqual([]);
  });
});
