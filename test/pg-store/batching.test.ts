// Batching on PostgreSQL: calls of one process made together (a supervisor starting 50 agents)
// share a handful of transactions, each row telling which one wrote it (xmin), a `run` of 20
// agents included; a call that fails (in its plan, or in the server) fails alone; and mutual
// exclusion holds across OS processes each issuing concurrent batches (an independent witness).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { LockRecord, Store } from '../../src/index.js';
import { spawnFixture } from '../core/store/support.js';
import { adminQuery, describePg, freshScope, pgUrl } from '../helpers/pg.js';
import { cli, project } from '../supervisor/support.js';
import { pgKind } from '../helpers/stores.js';
import { testDir } from '../helpers/tempdir.js';
import { POOL, readHolds, violations } from '../store-contract/witness.js';

const AGENTS = 50;
/** A handful: 50 calls in one section each would be 50 transactions. */
const HANDFUL = 5;

/** How many transactions wrote the rows `where` picks (each row's xmin names its transaction). */
async function writers(table: string, scope: string, where = 'true'): Promise<number> {
  const rows = await adminQuery<{ n: string }>(`SELECT count(DISTINCT xmin::text) AS n FROM agentvisor.${table} WHERE scope = $1 AND ${where}`, [scope]);
  return Number(rows[0]!.n);
}

const ids = Array.from({ length: AGENTS }, (_, i) => `agent-${i}`);
const owner = { pid: process.pid, leaseMs: 15_000 };

function acquireAll(store: Store): Promise<LockRecord[]> {
  return Promise.all(ids.map(async (id, i) => {
    const result = await store.acquire({ agentId: id, paths: [{ path: `src/f${i}.ts`, mode: 'exclusive' }], owner });
    if (!result.granted) throw new Error(`${id} not granted`);
    return result.locks[0]!;
  }));
}

describePg('batching on PostgreSQL', () => {
  it('50 agents started together: their acquisitions, board entries, renewals and releases each take a handful of transactions', async () => {
    const { store, options } = await pgKind.open();
    const scope = options.scope!;
    const locks = await acquireAll(store);
    expect(new Set(locks.map((l) => l.token)).size).toBe(AGENTS);
    expect(await writers('locks', scope)).toBeLessThanOrEqual(HANDFUL);
    // Granted in one section, on one reading of the database's clock.
    expect(new Set(locks.map((l) => l.timestamp)).size).toBeLessThanOrEqual(HANDFUL);

    await Promise.all(ids.map((id) => store.updateAgent(id, { status: 'running', pid: process.pid })));
    expect(await writers('agents', scope)).toBeLessThanOrEqual(HANDFUL);

    const renewed = await Promise.all(ids.map((id, i) => store.renew(id, { pid: process.pid, expected: [locks[i]!], waitMs: 5_000 })));
    expect(renewed.every((r) => r.renewed.length === 1 && r.lost.length === 0)).toBe(true);
    expect(await writers('locks', scope)).toBeLessThanOrEqual(HANDFUL);

    const released = await Promise.all(ids.map((id, i) => store.release(id, [`src/f${i}.ts`])));
    expect(released.every((r) => r.released.length === 1 && r.notHeld.length === 0)).toBe(true);
    expect(await adminQuery('SELECT 1 FROM agentvisor.locks WHERE scope = $1', [scope])).toEqual([]);
    expect(await writers('history', scope, `entry->>'event' = 'released'`)).toBeLessThanOrEqual(HANDFUL);
    const board = await store.board();
    expect(board.history.filter((h) => h.event === 'released')).toHaveLength(AGENTS);
  });

  it('a run of 20 agents on PostgreSQL grants them all in a handful of transactions', async () => {
    const scope = freshScope();
    const agents = Array.from({ length: 20 }, (_, i) => ({ id: `a${i}`, command: 'true', owns: [`files/f${i}.txt`] }));
    const r = await cli(project({ agents }), ['run'], { env: { AGENTVISOR_STORE: pgUrl(), AGENTVISOR_SCOPE: scope } });
    expect(r.code, r.stderr).toBe(0);
    const locked = await adminQuery('SELECT 1 FROM agentvisor.history WHERE scope = $1 AND entry->>\'event\' = \'locked\'', [scope]);
    expect(locked).toHaveLength(20);
    expect(await writers('history', scope, `entry->>'event' = 'locked'`)).toBeLessThanOrEqual(HANDFUL);
  });

  it('a call that fails in its plan or in the server fails alone: the calls made with it succeed', async () => {
    const { store, options } = await pgKind.open();
    const scope = options.scope!;
    // A lease that is not a whole number of ms cannot be written: that plan throws.
    const results = await Promise.allSettled(ids.slice(0, 20).map((id, i) =>
      store.acquire({ agentId: id, paths: [{ path: `src/f${i}.ts`, mode: 'exclusive' }], owner: { ...owner, leaseMs: i === 7 ? 0.5 : owner.leaseMs } }),
    ));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([expect.stringContaining('not an integer')]);
    expect(results[7]!.status).toBe('rejected');
    const rows = await adminQuery<{ agent_id: string }>('SELECT agent_id FROM agentvisor.locks WHERE scope = $1 ORDER BY id', [scope]);
    expect(rows.map((r) => r.agent_id).sort()).toEqual(ids.slice(0, 20).filter((_, i) => i !== 7).sort());
    expect(await writers('locks', scope)).toBeLessThanOrEqual(HANDFUL);

    // A NUL character cannot be stored in jsonb: the server refuses that statement, and with it
    // the transaction; the others are written all the same.
    const updates = await Promise.allSettled(ids.slice(0, 20).map((id, i) => store.updateAgent(id, { status: 'running', reason: i === 3 ? ('bad\u0000' as never) : null })));
    expect(updates.map((u) => u.status)).toEqual(ids.slice(0, 20).map((_, i) => (i === 3 ? 'rejected' : 'fulfilled')));
    expect(String((updates[3] as PromiseRejectedResult).reason)).toContain('PostgreSQL store');
    const agents = await adminQuery<{ agent_id: string }>('SELECT agent_id FROM agentvisor.agents WHERE scope = $1', [scope]);
    expect(agents.map((a) => a.agent_id).sort()).toEqual(ids.slice(0, 20).filter((_, i) => i !== 3).sort());
  });

  it("a renewal's short budget cuts only renewals short: a board write made with it has the whole call deadline", async () => {
    const { store, options } = await pgKind.open();
    const scope = options.scope!;
    const granted = await store.acquire({ agentId: 'a', paths: [{ path: 'x', mode: 'exclusive' }], owner });
    if (!granted.granted) throw new Error('not granted');
    // Another session holds the lock's row: the renewal's UPDATE waits for it, past its budget.
    const { default: pg } = await import('pg');
    const blocker = new pg.Client({ connectionString: pgUrl() });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM agentvisor.locks WHERE scope = $1 FOR UPDATE', [scope]);
      const renewal = store.renew('a', { pid: process.pid, expected: granted.locks, waitMs: 300 });
      const write = store.updateAgent('a', { status: 'running' });
      await expect(renewal).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await write;
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }
    expect((await store.board()).agents.a?.status).toBe('running');
  });

  it('a call on a lock granted earlier in the same batch waits for its commit: asked again, it is kept; forced off, it is removed', async () => {
    const { store } = await pgKind.open();
    const x = [{ path: 'src/x.ts', mode: 'exclusive' as const }];
    const [first, again] = await Promise.all([store.acquire({ agentId: 'a', paths: x, owner }), store.acquire({ agentId: 'a', paths: x, owner })]);
    expect(first.granted && again.granted).toBe(true);
    if (!first.granted || !again.granted) return;
    expect(again.token).toBe(first.token);
    expect(await store.listLocks()).toHaveLength(1);
    const [granted, forced] = await Promise.all([
      store.acquire({ agentId: 'b', paths: [{ path: 'src/y.ts', mode: 'exclusive' }], owner }),
      store.release('boss', ['src/y.ts'], { force: true }),
    ]);
    expect(granted.granted).toBe(true);
    expect(forced).toMatchObject({ released: [expect.objectContaining({ agent_id: 'b', file_path: 'src/y.ts' })], notHeld: [] });
    expect((await store.listLocks()).map((l) => l.file_path)).toEqual(['src/x.ts']);
  });

  it('3 processes of 4 concurrent contenders each on random overlapping globs: 0 violations', { timeout: 120_000 }, async () => {
    const { dir, options } = await pgKind.open();
    const witness = join(testDir(), 'witness.log');
    const contenders = Array.from({ length: 3 }, (_, i) =>
      spawnFixture('contender.mjs', [dir, `proc-${i}`, '8', witness, JSON.stringify(POOL), '0.4', String(4000 + i * 7919)], {
        ACTOR_STORE_OPTIONS: JSON.stringify(options),
        CONTENDER_WORKERS: '4',
      }),
    );
    for (const contender of contenders) contender.child.stdin!.end();
    const ends = await Promise.all(contenders.map((c) => c.exited));
    ends.forEach((end, i) => expect(end, contenders[i]!.stderr()).toEqual({ code: 0, signal: null }));
    const holds = readHolds(readFileSync(witness, 'utf8'));
    expect(holds).toHaveLength(3 * 4 * 8);
    expect(violations(holds)).toEqual([]);
  });
});
