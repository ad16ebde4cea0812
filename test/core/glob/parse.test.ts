// Parsing lock paths: canonical form, literal form, brace ranges, and every refusal with its code.
import { describe, expect, it } from 'vitest';
import { isAgentvisorError } from '../../../src/core/errors.js';
import { escapeLiteral, isLiteral, matchesPath, parsePattern } from '../../../src/core/glob/index.js';

function refusal(source: string): { code: string; message: string; facts: Record<string, unknown> } {
  try {
    parsePattern(source);
  } catch (error) {
    if (isAgentvisorError(error)) return { code: error.code, message: error.message, facts: error.facts };
    throw error;
  }
  throw new Error(`"${source}" was accepted`);
}

describe('parsePattern: canonical source', () => {
  const canonical: Array<[string, string]> = [
    ['src/a.ts', 'src/a.ts'],
    ['./src/a.ts', 'src/a.ts'],
    ['././src/./a.ts', 'src/a.ts'],
    ['src//a.ts', 'src/a.ts'],
    ['src///x//', 'src/x/**'],
    ['a/b/', 'a/b/**'],
    ['**/**/x', '**/x'],
    ['a/**/**', 'a/**'],
    ['{a,b/c}/x', '{a,b/c}/x'],
    ['foo\\*bar', 'foo\\*bar'],
  ];
  for (const [input, expected] of canonical) {
    it(`${input} → ${expected}`, () => {
      expect(parsePattern(input).source).toBe(expected);
      expect(parsePattern(expected).source).toBe(expected); // idempotent
    });
  }

  it('gives the literal file a pattern names, escapes removed', () => {
    expect(parsePattern('./src/a.ts').literal).toBe('src/a.ts');
    expect(parsePattern('app/\\[id\\]/page.tsx').literal).toBe('app/[id]/page.tsx');
    expect(parsePattern('a\\/b').literal).toBe('a/b');
    expect(parsePattern('src/*.ts').literal).toBeNull();
    expect(parsePattern('{a}').literal).toBeNull();
    expect(parsePattern('a/').literal).toBeNull();
  });
});

describe('braces', () => {
  const matches = (pattern: string, paths: string[], not: string[]) => {
    const p = parsePattern(pattern);
    for (const path of paths) expect(matchesPath(p, path), `${pattern} ~ ${path}`).toBe(true);
    for (const path of not) expect(matchesPath(p, path), `${pattern} !~ ${path}`).toBe(false);
  };
  it('{a} is a, {a,} is a or nothing', () => {
    matches('x{a}y', ['xay'], ['xy', 'x{a}y']);
    matches('x{a,}y', ['xay', 'xy'], ['x,y']);
    matches('x/{a,}/y', ['x/a/y', 'x/y'], ['x//y']);
    // Alone, the nothing matches no file: `{a,}` is `a`; `{a,}/` would make "nothing/" a folder.
    matches('{a,}', ['a'], ['', 'b', 'a/b']);
    matches('{,a}/b', ['a/b', 'b'], ['/b']);
  });
  it('nest and hold /', () => {
    matches('{a,b{c,d/e}}/f', ['a/f', 'bc/f', 'bd/e/f'], ['b/f', 'bd/f', 'be/f']);
  });
  it('numeric ranges count up or down, with a step, zero-padded when an end is', () => {
    matches('f{1..3}', ['f1', 'f2', 'f3'], ['f0', 'f4', 'f{1..3}']);
    matches('f{3..1}', ['f1', 'f2', 'f3'], ['f4']);
    matches('f{0..10..5}', ['f0', 'f5', 'f10'], ['f1', 'f15']);
    matches('f{08..10}', ['f08', 'f09', 'f10'], ['f8']);
    matches('f{-2..1}', ['f-2', 'f-1', 'f0', 'f1'], ['f2']);
  });
  it('large ranges side by side stay exact', () => {
    matches('f{1..4096}{1..4096}/*', ['f11/a', 'f40964096/x', 'f1234567/b'], ['f0/a', 'f40974096/a', 'f11']);
  });
  it('letter ranges run between two letters of the same case; anything else is one alternative', () => {
    matches('{a..c}', ['a', 'b', 'c'], ['d', 'B']);
    matches('{C..A}', ['A', 'B', 'C'], ['a']);
    matches('{a..C}', ['a..C'], ['a', 'b']);
    matches('{1..a}', ['1..a'], ['1']);
  });
});

describe('refusals (INVALID_GLOB, naming the path, the problem and where)', () => {
  const refused: Array<[string, RegExp]> = [
    ['', /empty/],
    ['+(a|b)', /extglob "\+\("/],
    ['src/@(a|b).ts', /extglob "@\(" .*position 5/],
    ['src/!(a).ts', /extglob "!\("/],
    ['src/?(a).ts', /extglob "\?\("/],
    ['src/*(a).ts', /extglob "\*\("/],
    ['!src/a.ts', /leading "!"/],
    ['./!src', /leading "!"/],
    ['[[:alpha:]]', /POSIX class/],
    ['x[[=a=]]', /POSIX class/],
    ['[z-a]', /reversed range "z-a"/],
    ['[9-0]x', /reversed range/],
    ['[a/b]', /class cannot hold "\/"/],
    ['[!/]', /class cannot hold "\/"/],
    ['a\\', /trailing "\\" .*position 2/],
    ['[a\\', /trailing "\\"/],
    ['.', /"\." is not allowed/],
    ['a/.', /"\." is not allowed/],
    ['..', /"\.\." is not allowed/],
    ['a/../b', /"\.\." is not allowed .*position 3/],
    ['../a', /"\.\." is not allowed/],
    ['{..,a}/b', /braces produce "\.\."/],
    ['a/{b,.}', /braces produce "\."/],
    ['[abc', /unbalanced "\[" .*position 1/],
    ['a]', /unbalanced "\]" .*position 2/],
    ['{a,b', /unbalanced "\{"/],
    ['a}', /unbalanced "\}"/],
    ['{a,{b}', /unbalanced "\{"/],
    ['{}', /empty braces/],
    ['{,}', /names no path/],
    ['./', /names no path/],
    ['{a,}/', /alternatives names no path/],
    ['//', /starts with "\/"/],
    ['/etc/passwd', /starts with "\/"/],
    ['a\0b', /NUL/],
    ['{1..5000}', /more than 4096/],
    ['{1..3..0}', /step of 0/],
    [`${'{a,b}/'.repeat(13)}x`.replace(/\{a,b\}/g, '{a,b/c}'), /more than 4096 alternatives/],
  ];
  for (const [source, problem] of refused) {
    it(JSON.stringify(source), () => {
      const error = refusal(source);
      expect(error.code).toBe('INVALID_GLOB');
      expect(error.message).toContain(`"${source}"`);
      expect(error.message).toMatch(problem);
      expect(error.facts.path).toBe(source);
    });
  }

  it('accepts what looks close to a refusal but is not', () => {
    for (const ok of ['a!b', 'a+b', 'a@b', '(a)', 'a|b', 'a,b', 'src/!x', '[!a]', '[^a]', '[]]', '[!]]', '\\]', '\\}', '[a-]', '.env', '..x', 'a..b']) {
      expect(() => parsePattern(ok), ok).not.toThrow();
    }
  });
});

describe('isLiteral and escapeLiteral', () => {
  it('isLiteral tells plain text from glob syntax', () => {
    expect(isLiteral('src/a.ts')).toBe(true);
    expect(isLiteral('foo\\*bar')).toBe(true);
    expect(isLiteral('src/*.ts')).toBe(false);
    expect(isLiteral('app/[id]/page.tsx')).toBe(false);
    expect(isLiteral('{a,b}')).toBe(false);
    expect(isLiteral('a/b/')).toBe(false);
  });

  it('escapeLiteral makes a lock path that names exactly that file', () => {
    for (const name of ['app/[id]/page.tsx', 'a*b?c', 'x/{a,b}/y', 'back\\slash', 'a+(b)', '!bang', 'ok/plain.ts', '[]]']) {
      const pattern = parsePattern(escapeLiteral(name));
      expect(pattern.literal).toBe(name);
      expect(matchesPath(pattern, name)).toBe(true);
      expect(isLiteral(escapeLiteral(name))).toBe(true);
    }
    expect(matchesPath(parsePattern(escapeLiteral('app/[id]/page.tsx')), 'app/i/page.tsx')).toBe(false);
  });
});
