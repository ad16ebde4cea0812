// matchesPath: a literal path against a pattern, with the contract's semantics.
import { describe, expect, it } from 'vitest';
import { matchesPath, parsePattern } from '../../../src/core/glob/index.js';

const table: Array<[string, string[], string[]]> = [
  ['src/*', ['src/a', 'src/.env', 'src/[id]'], ['src', 'src/a/b', 'srcx/a']],
  ['src/**', ['src', 'src/a', 'src/a/b/c', 'src/.git/config'], ['srcx', 'x/src']],
  ['**', ['a', 'a/b', '.env'], []],
  ['**/x', ['x', 'a/x', 'a/b/x'], ['xa', 'a/x/b']],
  ['a/**/b', ['a/b', 'a/x/b', 'a/x/y/b'], ['a/xb', 'ab', 'a/b/c']],
  ['a**b', ['ab', 'axxb'], ['a/b', 'ax/yb']],
  ['a?c', ['abc', 'a.c', 'a😀c'], ['ac', 'a/c', 'abbc']],
  ['[!a]', ['b', 'é', '-'], ['a', 'bb']],
  ['[]a]x', [']x', 'ax'], ['bx']],
  ['[a-c]', ['a', 'b', 'c'], ['d', 'A']],
  ['app/[id]/page.tsx', ['app/i/page.tsx', 'app/d/page.tsx'], ['app/[id]/page.tsx', 'app/id/page.tsx']],
  ['app/\\[id\\]/page.tsx', ['app/[id]/page.tsx'], ['app/i/page.tsx']],
  ['a/b/', ['a/b', 'a/b/c', 'a/b/c/d'], ['a/bc', 'a']],
  ['*.{ts,tsx}', ['a.ts', 'a.tsx', '.ts'], ['a.js', 'a.t']],
  ['Src/*.TS', ['Src/a.TS'], ['src/a.ts', 'Src/a.ts']],
];

describe('matchesPath', () => {
  for (const [pattern, yes, no] of table) {
    it(pattern, () => {
      const p = parsePattern(pattern);
      for (const path of yes) expect(matchesPath(p, path), `${pattern} should match ${path}`).toBe(true);
      for (const path of no) expect(matchesPath(p, path), `${pattern} should not match ${path}`).toBe(false);
    });
  }

  it('matches nothing that is not a normalised path', () => {
    for (const pattern of ['**', '*', '*/*', 'a/**', 'a/b']) {
      const p = parsePattern(pattern);
      for (const path of ['', '/', 'a//b', '/a/b', 'a/b/', './a', 'a/./b', 'a/../b', '..', '.', 'a/\0']) {
        expect(matchesPath(p, path), `${pattern} vs ${JSON.stringify(path)}`).toBe(false);
      }
    }
  });

  it('gives the same answers from its cache as on first sight', () => {
    const p = parsePattern('src/**/*.{ts,js}');
    const paths = ['src/a.ts', 'src/x/y/z.js', 'src/a.css', 'lib/a.ts', 'src/a.ts/b'];
    const first = paths.map((path) => matchesPath(p, path));
    for (let round = 0; round < 3; round++) expect(paths.map((path) => matchesPath(p, path))).toEqual(first);
    expect(first).toEqual([true, true, false, false, false]);
  });
});
