// Mutual exclusion across OS processes: 8 contenders take and release random overlapping globs 50
// times each; an independent checker reads their witness file of hold intervals and finds no two
// conflicting holds of different agents overlapping in time.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../helpers/tempdir.js';
import { POOL, readHolds, violations, type Hold } from '../../store-contract/witness.js';
import { spawnFixture } from './support.js';

/**
 * Holds per process. The portable run (vitest.config.ts) asks `ps` where Linux reads /proc and is
 * several times slower under contention: fewer holds keep it inside the test's time on 2 cores.
 */
const ITERATIONS = process.env.AGENTVISOR_PORTABLE === '1' ? 20 : 50;

async function contend(sharedRatio: number): Promise<Hold[]> {
  const root = testDir();
  const dir = join(root, 'locks');
  const witness = join(root, 'witness.log');
  const contenders = Array.from({ length: 8 }, (_, i) =>
    spawnFixture('contender.mjs', [dir, `agent-${i}`, String(ITERATIONS), witness, JSON.stringify(POOL), String(sharedRatio), String(1000 + i * 7919)]),
  );
  for (const contender of contenders) contender.child.stdin!.end();
  const ends = await Promise.all(contenders.map((c) => c.exited));
  ends.forEach((end, i) => expect(end, contenders[i]!.stderr()).toEqual({ code: 0, signal: null }));
  return readHolds(readFileSync(witness, 'utf8'));
}

describe('mutual exclusion across 8 processes', () => {
  it('the checker sees a violation when there is one (and none between shared holds)', () => {
    const hold = (agent: string, enter: bigint, exit: bigint, path: string, mode: 'exclusive' | 'shared' = 'exclusive'): Hold => ({ agent, enter, exit, paths: [{ path, mode }] });
    expect(violations([hold('a', 0n, 10n, 'src/*.ts'), hold('b', 5n, 15n, 'src/a.ts')])).toHaveLength(1);
    expect(violations([hold('a', 0n, 10n, 'src/*.ts'), hold('b', 10n, 15n, 'src/a.ts')])).toEqual([]);
    expect(violations([hold('a', 0n, 10n, 'src/**', 'shared'), hold('b', 5n, 15n, 'src/a.ts', 'shared')])).toEqual([]);
    expect(violations([hold('a', 0n, 10n, 'lib/**'), hold('b', 5n, 15n, 'src/**')])).toEqual([]);
  });

  it(`exclusive locks on random overlapping globs: ${8 * ITERATIONS} holds, 0 violations`, async () => {
    const holds = await contend(0);
    expect(holds).toHaveLength(8 * ITERATIONS);
    expect(violations(holds)).toEqual([]);
  });

  it('shared and exclusive mixed: 0 violations, and shared holds do overlap', async () => {
    const holds = await contend(0.6);
    expect(holds).toHaveLength(8 * ITERATIONS);
    expect(violations(holds)).toEqual([]);
    const sharedTogether = holds.some((a, i) =>
      holds.slice(i + 1).some((b) => a.agent !== b.agent && a.enter < b.exit && b.enter < a.exit),
    );
    // Proof that the checker can see overlap at all: some holds do run at the same time.
    expect(sharedTogether).toBe(true);
  });
});
