// The file store's lock semantics in one process: modes, own locks, idempotent re-acquisition,
// fencing tokens, release rules (twice, someone else's, deleted by hand, force), renewal and loss,
// TTLs and leases on an injected clock.

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/core/clock.js';
import { FileStore } from '../../../src/core/fs-store/file-store.js';
import type { AcquireResult, HistoryEntry, LockOwner, PathRequest } from '../../../src/index.js';
import { testDir } from '../../helpers/tempdir.js';

class ManualClock implements Clock {
  wall = Date.now();
  monoMs = 1_000_000;
  now(): number {
    return this.wall;
  }
  mono(): number {
    return this.monoMs;
  }
  advance(ms: number): void {
    this.wall += ms;
    this.monoMs += ms;
  }
}

const SELF: LockOwner = { pid: process.pid, leaseMs: null };
const ex = (...paths: string[]): PathRequest[] => paths.map((path) => ({ path, mode: 'exclusive' }));
const sh = (...paths: string[]): PathRequest[] => paths.map((path) => ({ path, mode: 'shared' }));

function open(clock?: Clock): { store: FileStore; dir: string } {
  const dir = join(testDir(), 'locks');
  return { store: new FileStore({ dir, ...(clock ? { clock } : {}) }), dir };
}

function history(dir: string): HistoryEntry[] {
  return readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HistoryEntry);
}

describe('modes and owners', () => {
  it('shared overlaps shared; exclusive overlaps nothing of another agent', async () => {
    const { store } = open();
    expect((await store.acquire({ agentId: 'a', paths: sh('src/**'), owner: SELF })).granted).toBe(true);
    expect((await store.acquire({ agentId: 'b', paths: sh('src/*.ts'), owner: SELF })).granted).toBe(true);
    const refused = await store.acquire({ agentId: 'c', paths: ex('src/x.ts'), owner: SELF });
    expect(refused).toMatchObject({ granted: false, reason: 'conflict' });
    expect(refused.granted === false && refused.conflicts.map((c) => [c.locked_by, c.witness])).toEqual([
      ['a', 'src/x.ts'],
      ['b', 'src/x.ts'],
    ]);
    expect(await store.check('c', sh('docs/**'))).toEqual([]);
    await store.close();
  });

  it("an agent's own locks never conflict with its request; asking again keeps the record", async () => {
    const { store } = open();
    const first = (await store.acquire({ agentId: 'a', paths: ex('src/**'), owner: SELF })) as AcquireResult & { granted: true };
    const again = (await store.acquire({ agentId: 'a', paths: ex('src/**', 'src/a.ts'), owner: SELF })) as AcquireResult & { granted: true };
    expect(again.granted).toBe(true);
    expect(again.locks[0]).toEqual(first.locks[0]);
    expect(again.locks[1]!.token).toBeGreaterThan(first.token);
    expect(await store.listLocks()).toHaveLength(2);
    await store.close();
  });

  it('all or nothing: one conflicting path refuses the whole request', async () => {
    const { store, dir } = open();
    await store.acquire({ agentId: 'a', paths: ex('lib/x.ts'), owner: SELF });
    const result = await store.acquire({ agentId: 'b', paths: ex('src/a.ts', 'lib/*.ts', 'docs/a.md'), owner: SELF });
    expect(result.granted).toBe(false);
    expect(readdirSync(dir).filter((n) => n.endsWith('.lock'))).toHaveLength(1);
    await store.close();
  });

  it('tokens grow with every acquisition, also across releases', async () => {
    const { store } = open();
    const tokens: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = (await store.acquire({ agentId: 'a', paths: ex('x'), owner: SELF })) as AcquireResult & { granted: true };
      tokens.push(r.token);
      await store.release('a', ['x']);
    }
    expect(tokens).toEqual([...tokens].sort((p, q) => p - q));
    expect(new Set(tokens).size).toBe(5);
    await store.close();
  });

  it('the token survives a lost counters file: recovered from the history and lock files', async () => {
    const { store, dir } = open();
    const first = (await store.acquire({ agentId: 'a', paths: ex('x'), owner: SELF })) as AcquireResult & { granted: true };
    await store.release('a', ['x']);
    rmSync(join(dir, 'counters.json'));
    const second = (await store.acquire({ agentId: 'a', paths: ex('y'), owner: SELF })) as AcquireResult & { granted: true };
    expect(second.token).toBeGreaterThan(first.token);
    await store.close();
  });
});

describe('release', () => {
  it('twice: the second is notHeld', async () => {
    const { store } = open();
    await store.acquire({ agentId: 'a', paths: ex('x'), owner: SELF });
    expect((await store.release('a', ['x'])).released).toHaveLength(1);
    expect(await store.release('a', ['x'])).toEqual({ released: [], notHeld: ['x'] });
    await store.close();
  });

  it("someone else's: notHeld, and their lock file stays", async () => {
    const { store } = open();
    await store.acquire({ agentId: 'a', paths: ex('x'), owner: SELF });
    expect(await store.release('b', ['x'])).toEqual({ released: [], notHeld: ['x'] });
    expect((await store.listLocks()).map((l) => l.agent_id)).toEqual(['a']);
    await store.close();
  });

  it('force releases it and says so in the history', async () => {
    const { store, dir } = open();
    await store.acquire({ agentId: 'a', paths: ex('x'), owner: SELF });
    expect((await store.release('b', ['x'], { force: true })).released.map((l) => l.agent_id)).toEqual(['a']);
    expect(history(dir).at(-1)).toMatchObject({ agent_id: 'a', file_path: 'x', event: 'forced', by: 'b' });
    await store.close();
  });

  it('a lock file deleted by hand: release is notHeld, renew reports it lost, nothing comes back', async () => {
    const { store, dir } = open();
    const taken = (await store.acquire({ agentId: 'a', paths: ex('x', 'y'), owner: SELF })) as AcquireResult & { granted: true };
    const xFile = readdirSync(dir).find((n) => n.startsWith('x.'))!;
    rmSync(join(dir, xFile));
    const renewed = await store.renew('a', { pid: process.pid, expected: taken.locks });
    expect(renewed.renewed.map((l) => l.file_path)).toEqual(['y']);
    expect(renewed.lost.map((l) => l.file_path)).toEqual(['x']);
    expect(await store.release('a', ['x'])).toEqual({ released: [], notHeld: ['x'] });
    expect(readdirSync(dir).filter((n) => n.startsWith('x.'))).toEqual([]);
    await store.close();
  });

  it('releaseAll releases only the pid it is told', async () => {
    const { store } = open();
    await store.acquire({ agentId: 'a', paths: ex('x'), owner: SELF });
    await store.acquire({ agentId: 'a', paths: ex('y'), owner: { pid: null, leaseMs: null } });
    expect((await store.releaseAll('a', { pid: process.pid })).map((l) => l.file_path)).toEqual(['x']);
    expect((await store.listLocks()).map((l) => l.file_path)).toEqual(['y']);
    await store.close();
  });
});

describe('time: TTLs, leases, renewals (injected clock)', () => {
  it('a TTL expires the lock (history: expired, then reclaimed)', async () => {
    const clock = new ManualClock();
    const { store, dir } = open(clock);
    await store.acquire({ agentId: 'a', paths: ex('x'), owner: { pid: null, leaseMs: null }, ttlMs: 5_000 });
    clock.advance(4_999);
    expect(await store.cleanupStale()).toEqual([]);
    clock.advance(2);
    expect((await store.cleanupStale()).map((l) => l.file_path)).toEqual(['x']);
    expect(history(dir).slice(-2)).toMatchObject([
      { event: 'expired', file_path: 'x' },
      { event: 'reclaimed', file_path: 'x' },
    ]);
    await store.close();
  });

  it('a lease runs out without renewals; renewals keep it; the holder learns when it is lost', async () => {
    const clock = new ManualClock();
    const { store } = open(clock);
    const owner = { pid: process.pid, leaseMs: 15_000 };
    const taken = (await store.acquire({ agentId: 'a', paths: ex('x'), owner })) as AcquireResult & { granted: true };
    for (let i = 0; i < 4; i++) {
      clock.advance(10_000);
      expect((await store.renew('a', { pid: process.pid, expected: taken.locks })).lost).toEqual([]);
    }
    clock.advance(15_001);
    expect((await store.acquire({ agentId: 'b', paths: ex('x'), owner: SELF })).granted).toBe(true);
    const late = await store.renew('a', { pid: process.pid, expected: taken.locks });
    expect(late.renewed).toEqual([]);
    expect(late.lost.map((l) => l.file_path)).toEqual(['x']);
    await store.close();
  });

  it('a lock with no pid and no lease lasts an hour', async () => {
    const clock = new ManualClock();
    const { store } = open(clock);
    await store.acquire({ agentId: 'a', paths: ex('x'), owner: { pid: null, leaseMs: null } });
    clock.advance(59 * 60_000);
    expect(await store.check('b', ex('x'))).toHaveLength(1);
    clock.advance(2 * 60_000);
    expect(await store.check('b', ex('x'))).toEqual([]);
    await store.close();
  });
});

describe('waiting, in one process', () => {
  it('reports while it waits, and an AbortSignal ends the wait and leaves the line', async () => {
    const { store, dir } = open();
    await store.acquire({ agentId: 'a', paths: ex('x'), owner: SELF });
    const controller = new AbortController();
    const reports: number[] = [];
    const result = await store.acquire({
      agentId: 'b',
      paths: ex('x'),
      owner: SELF,
      wait: true,
      waitReportMs: 20,
      signal: controller.signal,
      onWait: (info) => {
        reports.push(info.waitedMs);
        expect(info.conflicts).toMatchObject([{ locked_by: 'a', lock_path: 'x' }]);
        if (reports.length === 3) controller.abort();
      },
    });
    expect(result).toMatchObject({ granted: false, reason: 'aborted' });
    expect(reports).toHaveLength(3);
    expect(reports[2]!).toBeGreaterThanOrEqual(40);
    expect(readdirSync(join(dir, 'queue'))).toEqual([]);
    await store.close();
  });

  it('a waiter in the same process is granted when the holder releases', async () => {
    const { store } = open();
    await store.acquire({ agentId: 'a', paths: ex('src/**'), owner: SELF });
    let waiting!: () => void;
    const started = new Promise<void>((resolve) => (waiting = resolve));
    const pending = store.acquire({ agentId: 'b', paths: ex('src/a.ts'), owner: SELF, wait: true, onWait: () => waiting() });
    await started;
    await store.release('a', ['src/**']);
    expect((await pending).granted).toBe(true);
    await store.close();
  });
});
