// A user's clone has nothing beside it: no test, fixture or helper may name a path that leaves the
// repository (the suite once read the contract's table from a folder beside the checkout, which only the
// developers' machines have).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const scanned = /\.(ts|mts|mjs|js|cjs|sh|json)$/;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(path);
    return scanned.test(entry.name) ? [path] : [];
  });
}

/** Every quoted relative path (`'../x'`, `"./../x"`, `` `../x` ``) in a source text, with its line. */
export function relativePathsIn(text: string): { path: string; line: number }[] {
  const found: { path: string; line: number }[] = [];
  const quoted = /(['"`])((?:\.\.?\/)+[^'"`\s]*)\1/g;
  for (const match of text.matchAll(quoted)) {
    found.push({ path: match[2]!, line: text.slice(0, match.index).split('\n').length });
  }
  return found;
}

/** The places in `files` whose relative paths resolve outside `root`, as `file:line path`. */
export function pathsLeaving(root: string, files: string[]): string[] {
  return files.flatMap((file) =>
    relativePathsIn(readFileSync(file, 'utf8'))
      .filter(({ path }) => {
        const target = relative(root, resolve(dirname(file), path));
        return target === '..' || target.startsWith(`..${sep}`);
      })
      .map(({ path, line }) => `${relative(root, file)}:${line} ${path}`),
  );
}

describe('the test suite stays inside the repository', () => {
  it('finds a path that leaves the repository when there is one (the check can fail)', () => {
    const fakeRepo = mkdtempSync(join(tmpdir(), 'agentvisor-boundary-'));
    try {
      mkdirSync(join(fakeRepo, 'test', 'core'), { recursive: true });
      const file = join(fakeRepo, 'test', 'core', 'reads-outside.test.ts');
      const outside = ['..', '..', '..', 'elsewhere', 'x.tsv'].join('/');
      writeFileSync(file, `const ok = '../inside.ts';\nconst bad = new URL('${outside}', import.meta.url);\n`);
      expect(pathsLeaving(fakeRepo, [file])).toEqual([`test/core/reads-outside.test.ts:2 ${outside}`]);
    } finally {
      rmSync(fakeRepo, { recursive: true, force: true });
    }
  });

  it('names no file outside the repository in any test, fixture or helper', () => {
    expect(pathsLeaving(repo, filesUnder(join(repo, 'test')))).toEqual([]);
  });

  it('does not mention the developers-only shared folder', () => {
    const mentions = filesUnder(join(repo, 'test'))
      .filter((file) => file !== fileURLToPath(import.meta.url))
      .filter((file) => new RegExp(['\\.\\.', 'shared\\b'].join('/')).test(readFileSync(file, 'utf8')))
      .map((file) => relative(repo, file));
    expect(mentions).toEqual([]);
  });
});
