// Exact overlap on tricky pairs: dots, classes against wildcards, braces holding `/`, `**` in the middle, escapes.
import { describe, expect, it } from 'vitest';
import { matchesPath, overlapWitness, parsePattern } from '../../../src/core/glob/index.js';

function witness(a: string, b: string): string | null {
  return overlapWitness(parsePattern(a), parsePattern(b));
}

// [a, b, expected witness or null]: the witness is the one documented as preferred (shortest, readable).
const cases: Array<[string, string, string | null]> = [
  // the traps named in the issue
  ['src/*.py', 'src/a*', 'src/a.py'],
  ['*.rs', '*.txt', null],
  ['*a*', '*b*', 'ba'],
  ['a*b', 'b*a', null],
  ['a*b*c', 'a*c', 'abc'],
  // the issue's example, and glued shapes answered without a search
  ['src/api/**', 'src/**/auth.ts', 'src/api/auth.ts'],
  ['**/*.test.ts', 'src/mod7/**', 'src/mod7/a.test.ts'],
  ['**/gen7/*.ts', '**/*.test.ts', 'gen7/a.test.ts'],
  ['{src,lib}/**/*.{ts,js}', '**/gen7/*.ts', 'src/gen7/a.ts'],
  // dots: `*` and `?` match a leading dot, but `.` and `..` are no file names
  ['src/*', 'src/.env', 'src/.env'],
  ['?', '[.]', null],
  ['[.]', '*', null],
  ['[.]x', '*', '.x'],
  ['??', '.*', '.a'],
  ['..?', '*', '..a'],
  ['*', '..*', '..a'],
  ['a/*/b', 'a/[.]/b', null],
  ['a/.?/b', 'a/*/b', 'a/.a/b'],
  ['.*', '*.', '.a.'],
  ['src/*.ts', 'src/.ts', 'src/.ts'],
  ['src/*.ts', 'src/*', 'src/a.ts'],
  // classes against wildcards and each other
  ['[!a]', 'a', null],
  ['[!a]', '?', 'b'],
  ['[^a]', '[a-c]', 'b'],
  ['[!a-y]', '[x-z]', 'z'],
  ['[]]', '\\]', ']'],
  ['[]a]', 'a', 'a'],
  ['[!]]', '\\]', null],
  ['[!]]', '[]]', null],
  ['[a-]', '-', '-'],
  ['[-a]', '-', '-'],
  ['[\\]]', '\\]', ']'],
  ['[0-9][0-9]', '1?', '10'],
  ['[a-c][a-c]', '[d-f]?', null],
  ['[é-ü]', 'ö', 'ö'],
  ['x[😀-😂]', 'x😁', 'x😁'],
  ['x?', 'x😁', 'x😁'],
  // separators: wildcards never cross `/`
  ['*', 'a/b', null],
  ['?', 'a/b', null],
  ['a?b', 'a/b', null],
  ['**', 'a/b', 'a/b'],
  ['a**', 'ab/c', null],
  ['a**b', 'a/b', null],
  ['a**b', 'axb', 'axb'],
  ['a/**', 'a', 'a'],
  ['a/**', 'ab', null],
  ['**/a', 'a', 'a'],
  ['**/a', 'ba', null],
  ['**/a', 'x/**', 'x/a'],
  ['a/**/b', 'a/b', 'a/b'],
  ['a/**/b', 'a/x/y/b', 'a/x/y/b'],
  ['a/**/b/**/c', 'a/**/c', 'a/b/c'],
  ['a/**/b', 'a/**/c', null],
  ['**/x/**', '**/y/**', 'y/x'],
  ['a/*/*/b', 'a/**/b', 'a/a/a/b'],
  ['a/*/*/b', 'a/*/b', null],
  ['**/*.test.ts', 'src/**', 'src/a.test.ts'],
  // braces, nested, holding `/`, ranges
  ['{a,b}', 'b', 'b'],
  ['{a,b}', 'c', null],
  ['x/{a,b/{c,d}}/y', 'x/b/d/y', 'x/b/d/y'],
  ['x/{a,b/{c,d}}/y', 'x/b/e/y', null],
  ['{src,lib}/**/*.ts', 'lib/x.ts', 'lib/x.ts'],
  ['{src,lib}/**/*.ts', 'test/x.ts', null],
  ['x/{a,}/y', 'x/y', 'x/y'],
  ['x/{a,}/y', 'x/a/y', 'x/a/y'],
  ['x{a,}', 'x', 'x'],
  ['{a,}', 'a', 'a'],
  ['{a,}', '*', 'a'],
  ['{a}', 'a', 'a'],
  ['f{1..3}', 'f2', 'f2'],
  ['f{1..3}', 'f4', null],
  ['f{3..1}', 'f1', 'f1'],
  ['f{01..10}', 'f05', 'f05'],
  ['f{01..10}', 'f5', null],
  ['f{1..9..4}', 'f5', 'f5'],
  ['f{1..9..4}', 'f3', null],
  ['f{-1..1}', 'f-1', 'f-1'],
  ['{a..c}x', 'bx', 'bx'],
  ['{a..c}x', 'dx', null],
  ['{a/**,b}', 'a/x/y', 'a/x/y'],
  ['{**,b}/c', 'x/y/c', 'x/y/c'],
  ['a{**,b}/c', 'ax/c', 'ax/c'],
  ['a{**,b}/c', 'a/x/c', null],
  ['{.,a}/b', 'b', 'b'],
  ['{a,b}{c,d}', '*d', 'ad'],
  // escapes: an escaped character is itself
  ['foo\\*bar', 'foo*bar', 'foo*bar'],
  ['foo\\*bar', 'fooxbar', null],
  ['\\[id\\]/page.tsx', '[[]id[]]/*.tsx', '[id]/page.tsx'],
  ['\\{a,b\\}', '{a,b}', null],
  ['\\{a,b\\}', '?a,b?', '{a,b}'],
  ['a\\/b', 'a/b', 'a/b'],
  ['a/\\!x', 'a/!x', 'a/!x'],
  // trailing `/`, normalising
  ['a/b/', 'a/b', 'a/b'],
  ['a/b/', 'a/bc', null],
  ['a/b/', 'a/b/c/d', 'a/b/c/d'],
  ['./a/./b', 'a/b', 'a/b'],
  ['a//b', 'a/b', 'a/b'],
  // case-sensitive
  ['*.TS', '*.ts', null],
  ['[A-Z]', 'a', null],
];

describe('overlapWitness', () => {
  for (const [a, b, expected] of cases) {
    it(`${a}  vs  ${b}`, () => {
      for (const [x, y] of [[a, b], [b, a]] as const) {
        const found = witness(x, y);
        if (expected === null) {
          expect(found).toBeNull();
        } else {
          expect(found).not.toBeNull();
          expect(matchesPath(parsePattern(x), found!)).toBe(true);
          expect(matchesPath(parsePattern(y), found!)).toBe(true);
        }
      }
      expect(witness(a, b)).toBe(expected);
    });
  }

  it('accepts Patterns rebuilt from their source (e.g. read back from a lock file)', () => {
    expect(overlapWitness({ source: 'src/**', literal: null }, parsePattern('src/a.ts'))).toBe('src/a.ts');
  });

  it('decides patterns with many alternatives', () => {
    const big = parsePattern(`{${Array.from({ length: 60 }, (_, i) => `d${i}/x`).join(',')}}/*.ts`);
    expect(witness(big.source, 'd59/x/a.ts')).toBe('d59/x/a.ts');
    expect(overlapWitness(big, parsePattern('d60/**'))).toBe(null);
    expect(overlapWitness(big, parsePattern('d5?/**'))).toBe('d50/x/a.ts');
  });

  it('decides between two big patterns (a product too large for the shared tables)', () => {
    const list = (from: number, to: number, tail: string) =>
      `{${Array.from({ length: to - from }, (_, i) => `d${from + i}/${tail}`).join(',')}}`;
    const a = parsePattern(`${list(0, 300, 'x')}/*.ts`);
    const meets = parsePattern(`${list(150, 450, '*')}/a*`);
    const misses = parsePattern(`${list(400, 700, '*')}/a*`);
    const witness = overlapWitness(a, meets);
    expect(witness).not.toBeNull();
    expect(matchesPath(a, witness!) && matchesPath(meets, witness!)).toBe(true);
    expect(overlapWitness(a, misses)).toBeNull();
    expect(overlapWitness(misses, a)).toBeNull();
  });
});
