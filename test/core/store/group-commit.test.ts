// Group commit on the file store (src/core/group-commit.ts): calls one process makes together share
// one critical section, each seeing what the earlier ones did, in the order they were made; a call
// that fails alone fails; and processes whose calls are batched still never overlap (witness).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AcquireResult, LockRecord } from '../../../src/index.js';
import { testDir } from '../../helpers/tempdir.js';
import { POOL, readHolds, violations } from '../../store-contract/witness.js';
import { listing, resultOf, runActor, spawnActor, spawnFixture, type Line } from './support.js';

type Outcome = { result?: AcquireResult; error?: { code: string; message: string } };

const acquireOp = (agent: string, path: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ op: 'acquire', agent, paths: [path], ...extra });

function outcomes(lines: Line[]): Outcome[] {
  return resultOf<Outcome[]>(lines, 'all');
}

function grantedLocks(all: Outcome[]): LockRecord[] {
  return all.flatMap((o) => (o.result?.granted ? o.result.locks : []));
}

describe('group commit on the file store', () => {
  it('40 acquisitions made together take one section, tokens in the order they were made', async () => {
    const dir = join(testDir(), 'locks');
    const ops = Array.from({ length: 40 }, (_, i) => acquireOp(`agent-${i}`, `files/f${i}.txt`));
    const { lines, code } = await runActor(dir, [{ op: 'all', ops }]);
    expect(code).toBe(0);
    const all = outcomes(lines);
    expect(all.every((o) => o.result?.granted === true)).toBe(true);
    const locks = grantedLocks(all);
    // One section stamps every record it writes with its one instant.
    expect(new Set(locks.map((l) => l.timestamp_mono)).size).toBe(1);
    const tokens = locks.map((l) => l.token);
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
    expect(new Set(tokens).size).toBe(40);
    expect(listing(dir).locks).toHaveLength(40);
  });

  it('each call sees the ones made before it in the same section: the first of two overlapping wins', async () => {
    const dir = join(testDir(), 'locks');
    const ops = [acquireOp('a', 'src/**'), acquireOp('b', 'src/x.ts'), acquireOp('c', 'lib/x.js'), acquireOp('d', 'lib/**', { mode: 'shared' })];
    const { lines } = await runActor(dir, [{ op: 'all', ops }]);
    const all = outcomes(lines);
    expect(all.map((o) => o.result?.granted)).toEqual([true, false, true, false]);
    const refusedB = all[1]!.result as AcquireResult & { granted: false };
    expect(refusedB.conflicts.map((c) => c.locked_by)).toEqual(['a']);
    expect(new Set(grantedLocks(all).map((l) => l.timestamp_mono)).size).toBe(1);
  });

  it('waiters that queue in one section are granted in the order they asked', async () => {
    const dir = join(testDir(), 'locks');
    const holder = spawnActor(dir, [{ op: 'acquire', agent: 'holder', paths: ['shared.txt'] }, { op: 'hold' }]);
    await holder.line((l) => l.op === 'acquire', 'the holder granted');
    // Each waiter, once granted, releases at once, so the next can go.
    const waiters = Array.from({ length: 5 }, (_, i) => `w${i}`);
    const ops = waiters.map((agent) => ({ op: 'acquireThenRelease', agent, paths: ['shared.txt'], wait: true, timeoutMs: 30_000 }));
    const queued = spawnActor(dir, [{ op: 'all', ops }]);
    queued.child.stdin!.end();
    // All five in line (one `waiting` line each) before the holder lets go.
    await queued.line(() => queued.lines.filter((l) => l.op === 'waiting').length === 5, 'five waiters in line');
    holder.child.stdin!.end();
    expect(await queued.exited).toEqual({ code: 0, signal: null });
    const tokens = outcomes(queued.lines).map((o) => (o.result?.granted ? o.result.token : -1));
    expect(tokens.every((t) => t > 0)).toBe(true);
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
  });

  it('a call that fails in a shared section fails alone: the others are granted, nothing of it is left', async () => {
    const dir = join(testDir(), 'locks');
    const ops = Array.from({ length: 6 }, (_, i) => acquireOp(`agent-${i}`, `files/f${i}.txt`));
    // The third lock file placed fails, as a full disk would.
    const { lines } = await runActor(dir, [{ op: 'all', ops }, { op: 'list' }], { AGENTVISOR_FAULTS: 'lock-file.link:3=errno:EIO' });
    const all = outcomes(lines);
    expect(all.map((o) => o.result?.granted ?? o.error?.code)).toEqual([true, true, 'STORE_IO', true, true, true]);
    const held = resultOf<LockRecord[]>(lines, 'list').map((l) => l.file_path).sort();
    expect(held).toEqual(['files/f0.txt', 'files/f1.txt', 'files/f3.txt', 'files/f4.txt', 'files/f5.txt']);
    expect(listing(dir)).toMatchObject({ locks: expect.any(Array), txns: [], temps: [] });
    expect(listing(dir).locks).toHaveLength(5);
  });

  it('3 processes of 4 agents each, their calls batched: 0 violations (witness)', async () => {
    const root = testDir();
    const dir = join(root, 'locks');
    const witness = join(root, 'witness.log');
    const iterations = 15;
    const contenders = Array.from({ length: 3 }, (_, i) =>
      spawnFixture('contender.mjs', [dir, `proc-${i}`, String(iterations), witness, JSON.stringify(POOL), '0.3', String(31 + i * 7919)], { CONTENDER_WORKERS: '4' }),
    );
    for (const contender of contenders) contender.child.stdin!.end();
    const ends = await Promise.all(contenders.map((c) => c.exited));
    ends.forEach((end, i) => expect(end, contenders[i]!.stderr()).toEqual({ code: 0, signal: null }));
    const holds = readHolds(readFileSync(witness, 'utf8'));
    expect(holds).toHaveLength(3 * 4 * iterations);
    expect(violations(holds)).toEqual([]);
  });
});
