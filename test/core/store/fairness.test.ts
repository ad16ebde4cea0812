// First come, first served among waiters: a waiter is not overtaken by later requests, a request
// that will not wait fails rather than jump the line, a timed-out waiter leaves the line, and a
// stopped waiter loses its place once its lease runs out (and queues again at the back).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AcquireResult, ConflictRecord } from '../../../src/index.js';
import { testDir } from '../../helpers/tempdir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { runActor, spawnActor, staysFalse, type Actor } from './support.js';

const granted = (actor: Actor) => actor.lines.some((l) => l.op === 'acquire' && (l.result as AcquireResult)?.granted);

describe('fairness among waiters', () => {
  it('B waits behind A; C cannot jump ahead of B; D, later, gets it only after B', async () => {
    const dir = join(testDir(), 'locks');
    const a = spawnActor(dir, [{ op: 'acquire', agent: 'a', paths: ['src/**'] }, { op: 'hold' }, { op: 'release', agent: 'a', paths: ['src/**'] }]);
    await a.line((l) => l.op === 'acquire');
    const b = spawnActor(dir, [{ op: 'acquire', agent: 'b', paths: ['src/a.ts'], wait: true }, { op: 'hold' }, { op: 'release', agent: 'b', paths: ['src/a.ts'] }]);
    await b.line((l) => l.op === 'waiting');

    // C asks for something A holds and B waits for, without waiting: refused, naming both.
    const c = await runActor(dir, [{ op: 'acquire', agent: 'c', paths: ['src/*.ts'] }]);
    const refused = c.lines[0]!.result as AcquireResult & { conflicts: ConflictRecord[] };
    expect(refused.granted).toBe(false);
    expect(refused.conflicts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ locked_by: 'a', lock_path: 'src/**' }),
        expect.objectContaining({ locked_by: 'b', lock_path: 'src/a.ts', witness: 'src/a.ts', queued: true }),
      ]),
    );

    const d = spawnActor(dir, [{ op: 'acquire', agent: 'd', paths: ['src/a.ts'], wait: true }, { op: 'hold' }]);
    await d.line((l) => l.op === 'waiting');
    const waitingFor = d.lines.find((l) => l.op === 'waiting')!.conflicts as ConflictRecord[];
    expect(waitingFor.map((x) => x.locked_by).sort()).toEqual(['a', 'b']);

    a.child.stdin!.end();
    await b.line((l) => l.op === 'acquire');
    expect(granted(b)).toBe(true);
    expect(granted(d)).toBe(false);
    // D stays in line while B holds.
    expect(await staysFalse(() => granted(d), 200)).toBe(true);

    b.child.stdin!.end();
    await d.line((l) => l.op === 'acquire');
    expect(granted(d)).toBe(true);
    d.child.stdin!.end();
    await Promise.all([a.exited, b.exited, d.exited]);
  });

  it('a waiter that times out gets {reason: timeout} and leaves the line', async () => {
    const dir = join(testDir(), 'locks');
    const a = spawnActor(dir, [{ op: 'acquire', agent: 'a', paths: ['x'] }, { op: 'hold' }]);
    await a.line((l) => l.op === 'acquire');
    const started = Date.now();
    const b = await runActor(dir, [{ op: 'acquire', agent: 'b', paths: ['x'], wait: true, timeoutMs: 300 }]);
    const result = b.lines.find((l) => l.op === 'acquire')!.result as AcquireResult;
    expect(result).toMatchObject({ granted: false, reason: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(readdirSync(join(dir, 'queue'))).toEqual([]);
    // And the line does not block the next request now.
    a.child.stdin!.end();
    await a.exited;
    const c = await runActor(dir, [{ op: 'acquire', agent: 'c', paths: ['x'] }]);
    expect((c.lines[0]!.result as AcquireResult).granted).toBe(true);
  });

  it('a stopped waiter holds up the line for its lease only, and queues again at the back when continued', async () => {
    const dir = join(testDir(), 'locks');
    const env = { ACTOR_STORE_OPTIONS: JSON.stringify({ queueLeaseMs: 1200 }) };
    const waiter = (agent: string) => spawnActor(dir, [{ op: 'acquire', agent, paths: ['x'], wait: true }, { op: 'hold' }, { op: 'release', agent, paths: ['x'] }], env);
    const holder = spawnActor(dir, [{ op: 'acquire', agent: 'h', paths: ['x'] }, { op: 'hold' }, { op: 'release', agent: 'h', paths: ['x'] }], env);
    await holder.line((l) => l.op === 'acquire');
    const first = waiter('first');
    await first.line((l) => l.op === 'waiting');
    first.child.kill('SIGSTOP');
    try {
      const second = waiter('second');
      await second.line((l) => l.op === 'waiting');
      holder.child.stdin!.end();
      // The stopped first waiter's lease (1.2 s) runs out: the second does not wait behind it.
      await waitFor(() => granted(second), { timeoutMs: 5_000, what: 'the second waiter to get x past the stopped first' });
      const third = waiter('third');
      await third.line((l) => l.op === 'waiting');

      first.child.kill('SIGCONT');
      const queued = () => readdirSync(join(dir, 'queue')).filter((n) => n.endsWith('.json')).map((n) => JSON.parse(readFileSync(join(dir, 'queue', n), 'utf8')) as { ticket: number; agent_id: string });
      await waitFor(() => {
        const line = queued();
        const [t, f] = ['third', 'first'].map((a) => line.find((e) => e.agent_id === a)?.ticket);
        return t !== undefined && f !== undefined && f > t;
      }, { what: 'the first waiter back in line behind the third' });

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
});
