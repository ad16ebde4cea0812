// Both stores across OS processes: first come, first served among waiters (no jumping the line),
// a stopped waiter loses its place once its lease runs out and queues again at the back, and
// mutual exclusion of 8 contenders on random overlapping globs checked by an independent witness.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { AcquireResult, ConflictRecord } from '../../src/index.js';
import { runActor, spawnActor, spawnFixture, staysFalse, type Actor } from '../core/store/support.js';
import { forEachStore } from '../helpers/stores.js';
import { testDir } from '../helpers/tempdir.js';
import { waitFor } from '../helpers/wait-for.js';
import { readHolds, violations, POOL } from './witness.js';

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
    a.child.stdin!.end();
    await b.line((l) => l.op === 'acquire');
    expect(granted(b)).toBe(true);
    expect(await staysFalse(() => granted(d), 200)).toBe(true);
    b.child.stdin!.end();
    await d.line((l) => l.op === 'acquire');
    expect(granted(d)).toBe(true);
    d.child.stdin!.end();
    await Promise.all([a.exited, b.exited, d.exited]);
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

  // Slow on a loaded machine (8 processes, each waiting in line): a generous bound.
  it('8 processes on random overlapping globs, shared and exclusive: 0 violations', { timeout: 180_000 }, async () => {
    const { dir, options } = await kind.open();
    const witness = join(testDir(), 'witness.log');
    const contenders = Array.from({ length: 8 }, (_, i) =>
      spawnFixture('contender.mjs', [dir, `agent-${i}`, '20', witness, JSON.stringify(POOL), '0.4', String(2000 + i * 7919)], { ACTOR_STORE_OPTIONS: JSON.stringify(options) }),
    );
    for (const contender of contenders) contender.child.stdin!.end();
    const ends = await Promise.all(contenders.map((c) => c.exited));
    ends.forEach((end, i) => expect(end, contenders[i]!.stderr()).toEqual({ code: 0, signal: null }));
    const holds = readHolds(readFileSync(witness, 'utf8'));
    expect(holds).toHaveLength(160);
    expect(violations(holds)).toEqual([]);
  });
});
