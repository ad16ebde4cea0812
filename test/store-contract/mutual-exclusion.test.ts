// Mutual exclusion across OS processes, on both stores: 8 contenders take and release random
// overlapping globs (exclusive only, then shared and exclusive mixed); an independent checker reads
// their witness file of hold intervals and finds no two conflicting holds of different agents
// overlapping in time.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnFixture } from '../core/store/support.js';
import { forEachStore, type StoreKind } from '../helpers/stores.js';
import { testDir } from '../helpers/tempdir.js';
import { POOL, readHolds, violations, type Hold } from './witness.js';

/**
 * Holds per process: 8 × 25 = 200 contended holds a run. More proved nothing more (no violation in
 * 8 × 50 runs either); the portable run (vitest.config.ts) asks `ps` where Linux reads /proc and is
 * several times slower under contention, so it takes fewer.
 */
const ITERATIONS = process.env.AGENTVISOR_PORTABLE === '1' ? 15 : 25;

async function contend(kind: StoreKind, sharedRatio: number): Promise<Hold[]> {
  const { dir, options } = await kind.open();
  const witness = join(testDir(), 'witness.log');
  const contenders = Array.from({ length: 8 }, (_, i) =>
    spawnFixture('contender.mjs', [dir, `agent-${i}`, String(ITERATIONS), witness, JSON.stringify(POOL), String(sharedRatio), String(1000 + i * 7919)], {
      ACTOR_STORE_OPTIONS: JSON.stringify(options),
    }),
  );
  for (const contender of contenders) contender.child.stdin!.end();
  const ends = await Promise.all(contenders.map((c) => c.exited));
  ends.forEach((end, i) => expect(end, contenders[i]!.stderr()).toEqual({ code: 0, signal: null }));
  return readHolds(readFileSync(witness, 'utf8'));
}

describe('the witness', () => {
  it('sees a violation when there is one (and none between shared holds)', () => {
    const hold = (agent: string, enter: bigint, exit: bigint, path: string, mode: 'exclusive' | 'shared' = 'exclusive'): Hold => ({ agent, enter, exit, paths: [{ path, mode }] });
    expect(violations([hold('a', 0n, 10n, 'src/*.ts'), hold('b', 5n, 15n, 'src/a.ts')])).toHaveLength(1);
    expect(violations([hold('a', 0n, 10n, 'src/*.ts'), hold('b', 10n, 15n, 'src/a.ts')])).toEqual([]);
    expect(violations([hold('a', 0n, 10n, 'src/**', 'shared'), hold('b', 5n, 15n, 'src/a.ts', 'shared')])).toEqual([]);
    expect(violations([hold('a', 0n, 10n, 'lib/**'), hold('b', 5n, 15n, 'src/**')])).toEqual([]);
  });
});

forEachStore((kind) => {
  // Slow on a loaded machine (8 processes, each waiting in line): a generous bound.
  it(`exclusive locks on random overlapping globs: ${8 * ITERATIONS} holds, 0 violations`, { timeout: 180_000 }, async () => {
    const holds = await contend(kind, 0);
    expect(holds).toHaveLength(8 * ITERATIONS);
    expect(violations(holds)).toEqual([]);
  });

  it('shared and exclusive mixed: 0 violations, and shared holds do overlap', { timeout: 180_000 }, async () => {
    const holds = await contend(kind, 0.6);
    expect(holds).toHaveLength(8 * ITERATIONS);
    expect(violations(holds)).toEqual([]);
    // Proof that the checker can see overlap at all: some holds do run at the same time.
    const together = holds.some((a, i) => holds.slice(i + 1).some((b) => a.agent !== b.agent && a.enter < b.exit && b.enter < a.exit));
    expect(together).toBe(true);
  });
});
