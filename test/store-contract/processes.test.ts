// Both stores across OS processes: first come, first served among waiters (no jumping the line),
// a waiter that times out leaves the line, a stopped waiter loses its place once its lease runs
// out and queues again at the back; a SIGKILLed holder's locks are reclaimed once, by one of two
// processes racing for them; one agent id in two processes holds two records. (Mutual exclusion under stress: mutual-exclusion.test.ts.)

import { expect, it } from 'vitest';
import type { AcquireResult, ConflictRecord } from '../../src/index.js';
import { resultOf, runActor, spawnActor, spawnFixture, staysFalse, type Actor } from '../core/store/support.js';
import { testDir } from '../helpers/tempdir.js';
import { forEachStore } from '../helpers/stores.js';
import { waitFor } from '../helpers/wait-for.js';

const granted = (actor: Actor) => actor.lines.some((l) => l.op === 'acquire' && (l.result as AcquireResult)?.granted);

forEachStore((kind) => {
  it('B waits behind A; C cannot jump ahead of B; D, later, gets it only after B', async () => {
    const { dir, options } = await kind.open();
    const env = { ACTOR_STORE_OPTIONS: JSON.stringify(options) };
    const a = spawnActor(dir, [{ op: 'acquire', agent: 'a', paths: ['src/**'] }, { op: 'hold' }, { op: 'release', agent: 'a', paths: ['src/**'] }], env);
    await a.line((l) => l.op === 'acquire');
    const b = spawnActor(dir, [{ op: 'acquire', agent: 'b', paths: ['src/a.ts'], wait: true }, { op: 'hold' }, { op: 'release', agent: 'b', paths: ['src/a.ts'] }], env);
    await b.line((l) => l.op === 'waiting');
    const c = await runActor(dir, [{ op: 'acquire', agent: 'c', paths: ['src/*.ts'] }], env);
    const refused = c.lines[0]!.result as AcquireResult & { conflicts: ConflictRecord[] };
    expect(refused.granted).toBe(false);
    expect(refused.conflicts).toEqual(expect.arrayContaining([
      expect.objectContaining({ locked_by: 'a', lock_path: 'src/**' }),
      expect.objectContaining({ locked_by: 'b', lock_path: 'src/a.ts', witness: 'src/a.ts', queued: true }),
    ]));
    const d = spawnActor(dir, [{ op: 'acquire', agent: 'd', paths: ['src/a.ts'], wait: true }, { op: 'hold' }], env);
    await d.line((l) => l.op === 'waiting');
    const waitingFor = d.lines.find((l) => l.op === 'waiting')!.conflicts as ConflictRecord[];
    expect(waitingFor.map((x) => x.locked_by).sort()).toEqual(['a', 'b']);
    a.child.stdin!.end();
    await b.line((l) => l.op === 'acquire');
    expect(granted(b)).toBe(true);
    expect(granted(d)).toBe(false);
    expect(await staysFalse(() => granted(d), 200)).toBe(true);
    b.child.stdin!.end();
    await d.line((l) => l.op === 'acquire');
    expect(granted(d)).toBe(true);
    d.child.stdin!.end();
    await Promise.all([a.exited, b.exited, d.exited]);
  });

  it('a waiter that times out gets {reason: timeout} and leaves the line', async () => {
    const { store, dir, options } = await kind.open();
    const env = { ACTOR_STORE_OPTIONS: JSON.stringify(options) };
    const a = spawnActor(dir, [{ op: 'acquire', agent: 'a', paths: ['x'] }, { op: 'hold' }], env);
    await a.line((l) => l.op === 'acquire');
    const b = await runActor(dir, [{ op: 'acquire', agent: 'b', paths: ['x'], wait: true, timeoutMs: 300 }], env);
    expect(resultOf<AcquireResult>(b.lines, 'acquire')).toMatchObject({ granted: false, reason: 'timeout' });
    expect((await store.board()).waiters).toEqual([]);
    // And the line does not hold up the next request.
    a.child.stdin!.end();
    await a.exited;
    const c = await runActor(dir, [{ op: 'acquire', agent: 'c', paths: ['x'] }], env);
    expect(resultOf<AcquireResult>(c.lines, 'acquire').granted).toBe(true);
  });

  it('a stopped waiter holds up the line for its lease only, and queues again at the back when continued', async () => {
    const { dir, options } = await kind.open();
    const env = { ACTOR_STORE_OPTIONS: JSON.stringify({ ...options, queueLeaseMs: 2500 }) };
    const waiter = (agent: string) => spawnActor(dir, [{ op: 'acquire', agent, paths: ['x'], wait: true, waitReportMs: 200 }, { op: 'hold' }, { op: 'release', agent, paths: ['x'] }], env);
    const holder = spawnActor(dir, [{ op: 'acquire', agent: 'h', paths: ['x'] }, { op: 'hold' }, { op: 'release', agent: 'h', paths: ['x'] }], env);
    await holder.line((l) => l.op === 'acquire');
    const first = waiter('first');
    await first.line((l) => l.op === 'waiting');
    first.child.kill('SIGSTOP');
    try {
      const second = waiter('second');
      await second.line((l) => l.op === 'waiting');
      holder.child.stdin!.end();
      await waitFor(() => granted(second), { timeoutMs: 15_000, what: 'the second waiter to get x past the stopped first' });
      const third = waiter('third');
      await third.line((l) => l.op === 'waiting');
      first.child.kill('SIGCONT');
      // Back, the first waiter is behind the third: it sees the third among those it waits for.
      await waitFor(() => first.lines.some((l) => l.op === 'waiting' && (l.conflicts as ConflictRecord[]).some((c) => c.locked_by === 'third' && c.queued)), { what: 'the first waiter back in line behind the third' });
      second.child.stdin!.end();
      await third.line((l) => l.op === 'acquire');
      expect(granted(third)).toBe(true);
      expect(granted(first)).toBe(false);
      third.child.stdin!.end();
      await first.line((l) => l.op === 'acquire');
      expect(granted(first)).toBe(true);
      first.child.stdin!.end();
      const ends = await Promise.all([holder, first, second, third].map((a) => a.exited));
      expect(ends.map((e) => e.code)).toEqual([0, 0, 0, 0]);
    } finally {
      first.child.kill('SIGCONT');
      first.child.stdin!.end();
    }
  });

  it("a SIGKILLed holder's locks are reclaimed once: of two processes racing for them, exactly one is granted, with a higher token", async () => {
    const { store, dir, options } = await kind.open();
    const env = { ACTOR_STORE_OPTIONS: JSON.stringify(options) };
    const holder = spawnActor(dir, [{ op: 'acquire', agent: 'gone', paths: ['src/**'] }, { op: 'hold' }], env);
    const taken = resultOf<AcquireResult & { token: number }>([await holder.line((l) => l.op === 'acquire')], 'acquire');
    holder.child.kill('SIGKILL');
    await holder.exited;
    // Each holds what it got until both have answered, so the loser cannot outlive the winner's pid.
    const racers = ['a', 'b'].map((agent) => spawnActor(dir, [{ op: 'acquire', agent, paths: ['src/x.ts'] }, { op: 'hold' }], env));
    await Promise.all(racers.map((r) => r.line((l) => l.op === 'acquire')));
    for (const racer of racers) racer.child.stdin!.end();
    await Promise.all(racers.map((r) => r.exited));
    const results = racers.map((r) => resultOf<AcquireResult>(r.lines, 'acquire'));
    expect(results.filter((r) => r.granted)).toHaveLength(1);
    const winner = results.find((r) => r.granted) as AcquireResult & { token: number };
    expect(winner.token).toBeGreaterThan(taken.token);
    const reclaimed = (await store.board()).history.filter((h) => h.event === 'reclaimed' && h.agent_id === 'gone');
    expect(reclaimed).toHaveLength(1);
  });

  it('one agent id in two processes: each gets a record of its own; the release or death of one never frees the other', async () => {
    const { store, dir, env, options } = await kind.open();
    const root = testDir({ 'agents.config.json': JSON.stringify({ agents: [] }) });
    // A seed-API script without an agent id (so `unknown_agent`, as two such scripts both would).
    const script = () => spawnFixture('seed-script.mjs', [dir, 'x.txt'], env, root);
    const holders = async () => (await store.listLocks()).map((l) => [l.agent_id, l.file_path, l.pid]);
    const first = script();
    await first.line((l) => l.result === 'granted true', 'the first script granted');
    const second = script();
    await second.line((l) => l.result === 'granted true', 'the second script granted');
    expect((await store.listLocks()).map((l) => l.pid).sort()).toEqual([first.child.pid, second.child.pid].sort());

    first.child.stdin!.end();
    await first.exited;
    expect(first.lines.map((l) => l.result)).toContain('released true');
    // The second still holds it: another agent is refused.
    expect(await holders()).toEqual([['unknown_agent', 'x.txt', second.child.pid]]);
    const refused = await runActor(dir, [{ op: 'acquire', agent: 'other', paths: ['x.txt'] }], { ACTOR_STORE_OPTIONS: JSON.stringify(options) });
    expect(resultOf<AcquireResult>(refused.lines, 'acquire').granted).toBe(false);

    // And its death frees only its own record.
    const third = script();
    await third.line((l) => l.result === 'granted true', 'a third script granted');
    second.child.kill('SIGKILL');
    await second.exited;
    const still = await runActor(dir, [{ op: 'acquire', agent: 'other', paths: ['x.txt'] }], { ACTOR_STORE_OPTIONS: JSON.stringify(options) });
    expect(resultOf<AcquireResult>(still.lines, 'acquire').granted).toBe(false);
    expect((await holders()).map((h) => h[2])).toEqual([third.child.pid]);
    third.child.stdin!.end();
    await third.exited;
  });
});
