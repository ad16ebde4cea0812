// escapeLiteral and parsePattern round-trip: any normalised file name, brackets, braces, `!`, `(`
// and backslashes included, escapes to a lock path that names exactly that file, whose canonical
// text parses again to the same lock path (what the guard's --claim and `lock` of an existing
// file rely on). checkPatternSyntax refuses exactly what parsePattern refuses for its text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPatternSyntax, escapeLiteral, isLiteral, matchesPath, overlapWitness, parsePattern } from '../../../src/core/glob/index.js';

function roundTrips(name: string): void {
  const escaped = escapeLiteral(name);
  const pattern = parsePattern(escaped);
  expect(pattern.literal, escaped).toBe(name);
  expect(isLiteral(escaped)).toBe(true);
  expect(matchesPath(pattern, name)).toBe(true);
  expect(overlapWitness(pattern, parsePattern('**'))).toBe(name);
  const again = parsePattern(pattern.source);
  expect(again.source).toBe(pattern.source);
  expect(again.literal).toBe(name);
}

describe('escapeLiteral + parsePattern', () => {
  it('round-trip the names the guard meets', () => {
    for (const name of ['app/[id]/page.tsx', '[[]', 'a]b', '{x}', '!x', '(x)', 'src/app/[[]slug]/page.tsx', 'src/app/[[...slug]]/page.tsx', 'a/!(b)', '*(x)', '@(a)', 'x{1..3}', 'a,b', 'back\\slash']) {
      roundTrips(name);
    }
    // The unescaped forms are globs (or refused), not these names.
    expect(() => parsePattern('src/app/[[]slug]/**')).toThrow(/unbalanced "\]"/);
    expect(matchesPath(parsePattern('app/[id]/page.tsx'), 'app/[id]/page.tsx')).toBe(false);
  });

  it('round-trip for random names made of the special characters', () => {
    const ch = fc.constantFrom(...'ab.-_ [](){}!*?\\,^+@~$é'.split(''));
    const segment = fc.array(ch, { minLength: 1, maxLength: 6 }).map((a) => a.join('')).filter((s) => s !== '.' && s !== '..');
    const name = fc.array(segment, { minLength: 1, maxLength: 3 }).map((a) => a.join('/'));
    fc.assert(fc.property(name, (n) => roundTrips(n)), { numRuns: 2000 });
  });

  it('checkPatternSyntax refuses exactly what parsePattern refuses (short texts of glob syntax)', () => {
    const outcome = (check: () => unknown): string => {
      try {
        check();
        return 'ok';
      } catch (error) {
        return (error as { code?: string; message: string }).message;
      }
    };
    const ch = fc.constantFrom(...'a/.*?[]{}!(),\\-^+@'.split(''));
    const text = fc.array(ch, { minLength: 0, maxLength: 8 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(outcome(() => checkPatternSyntax(t)), t).toBe(outcome(() => parsePattern(t)));
      }),
      { numRuns: 3000 },
    );
    expect(() => checkPatternSyntax('src/app/[[]slug]/**')).toThrow(/unbalanced "\]"/);
  });
});
