// The worked glob-overlap cases (test/data/glob-overlap-cases.tsv, the project's copy of the
// contract's table, grown with our own rows), in both argument orders.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchesPath, overlapWitness, parsePattern } from '../../../src/core/glob/index.js';

const table = new URL('../../data/glob-overlap-cases.tsv', import.meta.url);
const rows = readFileSync(table, 'utf8')
  .split('\n')
  .slice(1)
  .filter((line) => line.trim() !== '')
  .map((line) => line.split('\t') as [string, string, string]);

describe('glob-overlap-cases.tsv', () => {
  it('has cases', () => {
    expect(rows.length).toBeGreaterThan(30);
  });

  for (const [a, b, expected] of rows) {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      it(`${x}  vs  ${y}  → ${expected}`, () => {
        const px = parsePattern(x);
        const py = parsePattern(y);
        const witness = overlapWitness(px, py);
        if (expected === 'yes') {
          expect(witness).not.toBeNull();
          expect(matchesPath(px, witness!)).toBe(true);
          expect(matchesPath(py, witness!)).toBe(true);
        } else {
          expect(witness).toBeNull();
        }
      });
    }
  }
});
