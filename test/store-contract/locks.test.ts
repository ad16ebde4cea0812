// Lock semantics every store shares, run on the file store and on PostgreSQL: modes, own locks,
// all or nothing, fencing tokens, release rules, releaseAll by pid, renewal and loss on a real
// short lease, TTLs, waiting in one process (abort, grant on release).

import { expect, it } from 'vitest';
import type { AcquireResult, LockOwner, PathRequest } from '../../src/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { forEachStore } from '../helpers/stores.js';

const SELF: LockOwner = { pid: process.pid, leaseMs: null };
const NONE: LockOwner = { pid: null, leaseMs: null };
const ex = (...paths: string[]): PathRequest[] => paths.map((path) => ({ path, mode: 'exclusive' }));
const sh = (...paths: string[]): PathRequest[] => paths.map((path) => ({ path, mode: 'shared' }));
type Granted = AcquireResult & { granted: true };

forEachStore((kind) => {
  it('shared overlaps shared; exclusive overlaps nothing of another agent', async () => {
    const { store } = await kind.open();
    expect((await store.acquire({ agentId: 'a', paths: sh('src/**'), owner: SELF })).granted).toBe(true);
    expect((await store.acquire({ agentId: 'b', paths: sh('src/*.ts'), owner: SELF })).granted).toBe(true);
    const refused = await store.acquire({ agentId: 'c', paths: ex('src/x.ts'), owner: SELF });
    expect(refused).toMatchObject({ granted: false, reason: 'conflict' });
    expect(refused.granted === false && refused.conflicts.map((c) => [c.locked_by, c.witness]).sort()).toEqual([
      ['a', 'src/x.ts'],
      ['b', 'src/x.ts'],
    ]);
    expect(await store.check('c', sh('docs/**'))).toEqual([]);
    expect((await store.board()).conflicts.at(-1)).toMatchObject({ agent_id: 'c', file_path: 'src/x.ts', kind: 'refused' });
  });

  it("an agent's own locks never conflict with its request; asking again keeps the record", async () => {
    const { store } = await kind.open();
    const first = (await store.acquire({ agentId: 'a', paths: ex('src/**'), owner: SELF })) as Granted;
    const again = (await store.acquire({ agentId: 'a', paths: ex('src/**', 'src/a.ts'), owner: SELF })) as Granted;
    expect(again.granted).toBe(true);
    expect(again.locks[0]).toEqual(first.locks[0]);
    expect(again.locks[1]!.token).toBeGreaterThan(first.token);
    expect(await store.listLocks()).toHaveLength(2);
  });

  it('all or nothing: one conflicting path refuses the whole request', async () => {
    const { store } = await kind.open();
    await store.acquire({ agentId: 'a', paths: ex('lib/x.ts'), owner: SELF });
    const result = await store.acquire({ agentId: 'b', paths: ex('src/a.ts', 'lib/*.ts', 'docs/a.md'), owner: SELF });
    expect(result.granted).toBe(false);
    expect((await store.listLocks()).map((l) => l.file_path)).toEqual(['lib/x.ts']);
  });

  it('tokens grow with every acquisition, across releases; one token per acquisition; JSON numbers', async () => {
    const { store } = await kind.open();
    const tokens: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = (await store.acquire({ agentId: 'a', paths: ex('x', 'y'), owner: SELF })) as Granted;
      expect(r.locks.map((l) => l.token)).toEqual([r.token, r.token]);
      expect(typeof r.token).toBe('number');
      tokens.push(r.token);
      await store.release('a', ['x', 'y']);
    }
    expect(tokens).toEqual([...tokens].sort((p, q) => p - q));
    expect(new Set(tokens).size).toBe(5);
  });

  it('the lock record has the contract fields', async () => {
    const { store } = await kind.open();
    const r = (await store.acquire({ agentId: 'a', paths: ex('src/a.ts'), owner: { pid: process.pid, leaseMs: 15_000 }, ttlMs: 60_000 })) as Granted;
    const lock = r.locks[0]!;
    expect(lock).toMatchObject({ agent_id: 'a', file_path: 'src/a.ts', status: 'active', mode: 'exclusive', pid: process.pid, token: r.token, lease_ms: 15_000 });
    expect(Date.parse(lock.expires_at!) - Date.parse(lock.timestamp)).toBe(60_000);
    expect(lock.heartbeat).toBe(lock.timestamp);
    expect(lock.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await store.listLocks()).toEqual([lock]);
  });

  it('release: twice is notHeld; another agent\'s is notHeld and stays; force releases it (history: forced)', async () => {
    const { store } = await kind.open();
    await store.acquire({ agentId: 'a', paths: ex('x', 'y'), owner: SELF });
    expect((await store.release('a', ['x'])).released).toHaveLength(1);
    expect(await store.release('a', ['x'])).toEqual({ released: [], notHeld: ['x'] });
    expect(await store.release('b', ['y'])).toEqual({ released: [], notHeld: ['y'] });
    expect((await store.listLocks()).map((l) => l.agent_id)).toEqual(['a']);
    expect((await store.release('b', ['y'], { force: true })).released.map((l) => l.agent_id)).toEqual(['a']);
    expect((await store.board()).history.at(-1)).toMatchObject({ agent_id: 'a', file_path: 'y', event: 'forced', by: 'b' });
  });

  it('releaseAll releases only the pid it is told', async () => {
    const { store } = await kind.open();
    await store.acquire({ agentId: 'a', paths: ex('x'), owner: SELF });
    await store.acquire({ agentId: 'a', paths: ex('y'), owner: NONE });
    expect((await store.releaseAll('a', { pid: process.pid })).map((l) => l.file_path)).toEqual(['x']);
    expect((await store.listLocks()).map((l) => l.file_path)).toEqual(['y']);
  });

  it('a lease runs out without renewals: another agent is granted with a higher token; the holder learns it lost it', async () => {
    const { store } = await kind.open();
    // A lease long enough that the renewal right after the grant comes within it on a loaded machine.
    const taken = (await store.acquire({ agentId: 'a', paths: ex('x'), owner: { pid: process.pid, leaseMs: 1_000 } })) as Granted;
    const renewed = await store.renew('a', { pid: process.pid, expected: taken.locks });
    expect(renewed.lost).toEqual([]);
    expect(renewed.renewed).toHaveLength(1);
    expect(Date.parse(renewed.renewed[0]!.heartbeat)).toBeGreaterThanOrEqual(Date.parse(taken.locks[0]!.heartbeat));
    const other = (await waitFor(async () => {
      const r = await store.acquire({ agentId: 'b', paths: ex('x'), owner: SELF });
      return r.granted ? r : null;
    }, { what: 'the lease to run out' })) as Granted;
    expect(other.token).toBeGreaterThan(taken.token);
    const late = await store.renew('a', { pid: process.pid, expected: taken.locks });
    expect(late.renewed).toEqual([]);
    expect(late.lost.map((l) => l.file_path)).toEqual(['x']);
    expect((await store.board()).history.map((h) => h.event)).toContain('reclaimed');
  });

  it('a TTL expires the lock: cleanup reclaims it (history: expired, then reclaimed)', async () => {
    const { store } = await kind.open();
    await store.acquire({ agentId: 'a', paths: ex('x'), owner: NONE, ttlMs: 200 });
    expect(await store.cleanupStale()).toEqual([]);
    const reclaimed = await waitFor(async () => {
      const r = await store.cleanupStale();
      return r.length > 0 ? r : null;
    }, { what: 'the TTL to pass' });
    expect(reclaimed.map((l) => l.file_path)).toEqual(['x']);
    expect((await store.board()).history.slice(-2)).toMatchObject([
      { event: 'expired', file_path: 'x' },
      { event: 'reclaimed', file_path: 'x' },
    ]);
  });

  it('waiting: reports while it waits; an AbortSignal ends the wait and leaves the line', async () => {
    const { store } = await kind.open();
    await store.acquire({ agentId: 'a', paths: ex('x'), owner: SELF });
    const controller = new AbortController();
    const reports: number[] = [];
    const result = await store.acquire({
      agentId: 'b', paths: ex('x'), owner: SELF, wait: true, waitReportMs: 20, signal: controller.signal,
      onWait: (info) => {
        reports.push(info.waitedMs);
        expect(info.conflicts).toMatchObject([{ locked_by: 'a', lock_path: 'x' }]);
        if (reports.length === 3) controller.abort();
      },
    });
    expect(result).toMatchObject({ granted: false, reason: 'aborted' });
    expect(reports).toHaveLength(3);
    // Out of the line: a later request for what b wanted is not held behind it.
    await store.release('a', ['x']);
    expect((await store.acquire({ agentId: 'c', paths: ex('x'), owner: SELF })).granted).toBe(true);
  });

  it('a waiter is granted when the holder releases; a timeout gives up', async () => {
    const { store } = await kind.open();
    await store.acquire({ agentId: 'a', paths: ex('src/**'), owner: SELF });
    expect(await store.acquire({ agentId: 'c', paths: ex('src/b.ts'), owner: SELF, wait: true, timeoutMs: 100 })).toMatchObject({ granted: false, reason: 'timeout' });
    let waiting!: () => void;
    const started = new Promise<void>((resolve) => (waiting = resolve));
    const pending = store.acquire({ agentId: 'b', paths: ex('src/a.ts'), owner: SELF, wait: true, onWait: () => waiting() });
    await started;
    await store.release('a', ['src/**']);
    expect((await pending).granted).toBe(true);
  });

  it('a request that will not wait does not jump an earlier waiter (exit 3 material: queued)', async () => {
    const { store, again } = await kind.open();
    await store.acquire({ agentId: 'a', paths: ex('x'), owner: SELF });
    const other = await again();
    let waiting!: () => void;
    const started = new Promise<void>((resolve) => (waiting = resolve));
    const pending = other.acquire({ agentId: 'b', paths: ex('x'), owner: SELF, wait: true, onWait: () => waiting() });
    await started;
    await store.release('a', ['x']);
    const jumper = await store.acquire({ agentId: 'c', paths: ex('x'), owner: SELF });
    // Either b was already granted (holder conflict) or it is still in line (queued): c never gets it first.
    expect(jumper.granted).toBe(false);
    expect((await pending).granted).toBe(true);
  });
});
