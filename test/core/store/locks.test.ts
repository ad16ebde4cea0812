// The file store's own lock cases in one process: files deleted by hand (counters, a lock file),
// and TTLs, leases and the 1-hour rule on an injected clock. What both stores share (modes, own
// locks, tokens, release rules, renewal and loss, waiting) is in test/store-contract/locks.test.ts.

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

function open(clock?: Clock): { store: FileStore; dir: string } {
  const dir = join(testDir(), 'locks');
  return { store: new FileStore({ dir, ...(clock ? { clock } : {}) }), dir };
}

function history(dir: string): HistoryEntry[] {
  return readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HistoryEntry);
}

// File-only: these delete the store's files by hand.
describe('files deleted by hand', () => {
  it('the token survives a lost counters file: recovered from the history and lock files', async () => {
    const { store, dir } = open();
    const first = (await store.acquire({ agentId: 'a', paths: ex('x'), owner: SELF })) as AcquireResult & { granted: true };
    await store.release('a', ['x']);
    rmSync(join(dir, 'counters.json'));
    const second = (await store.acquire({ agentId: 'a', paths: ex('y'), owner: SELF })) as AcquireResult & { granted: true };
    expect(second.token).toBeGreaterThan(first.token);
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
});

// File-only: an injected clock (the PostgreSQL store takes time from the database's clock).
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
