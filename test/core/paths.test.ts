// Lock paths against a real root folder: relative and absolute input, escapes refused, folders as subtrees.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAgentvisorError } from '../../src/core/errors.js';
import { escapeLiteral, normaliseLiteralPath, normaliseLockPath } from '../../src/core/paths.js';
import { testDir } from '../helpers/tempdir.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isAgentvisorError(error)) return error.code;
    throw error;
  }
  return 'accepted';
}

function project(): string {
  return testDir({ 'src/a.ts': '', 'src/api/x.ts': '', 'app/[id]/page.tsx': '', 'docs': null });
}

describe('normaliseLockPath', () => {
  it('keeps a root-relative path, normalising ./ and //', () => {
    const root = project();
    expect(normaliseLockPath('src/a.ts', { root })).toEqual({ path: 'src/a.ts', directory: false });
    expect(normaliseLockPath('./src//a.ts', { root })).toEqual({ path: 'src/a.ts', directory: false });
    expect(normaliseLockPath('src/**/*.ts', { root })).toEqual({ path: 'src/**/*.ts', directory: false });
    expect(normaliseLockPath('new/not-yet.ts', { root })).toEqual({ path: 'new/not-yet.ts', directory: false });
  });

  it('makes an absolute path inside the root relative', () => {
    const root = project();
    expect(normaliseLockPath(join(root, 'src/a.ts'), { root }).path).toBe('src/a.ts');
    expect(normaliseLockPath(`${root}//src/./*.ts`, { root }).path).toBe('src/*.ts');
    expect(normaliseLockPath(`${root}/src/a.ts`, { root: `${root}/` }).path).toBe('src/a.ts');
  });

  it('turns a trailing / and an existing directory into its subtree, and says so', () => {
    const root = project();
    expect(normaliseLockPath('src/', { root })).toEqual({ path: 'src/**', directory: true });
    expect(normaliseLockPath('src', { root })).toEqual({ path: 'src/**', directory: true });
    expect(normaliseLockPath('src/api', { root })).toEqual({ path: 'src/api/**', directory: true });
    expect(normaliseLockPath(join(root, 'docs'), { root })).toEqual({ path: 'docs/**', directory: true });
    expect(normaliseLockPath('app/\\[id\\]', { root })).toEqual({ path: 'app/\\[id\\]/**', directory: true });
    expect(normaliseLockPath('nothing-here/', { root })).toEqual({ path: 'nothing-here/**', directory: true });
  });

  it('points out an existing file whose literal name the glob does not cover', () => {
    const root = project();
    expect(normaliseLockPath('app/[id]/page.tsx', { root })).toEqual({
      path: 'app/[id]/page.tsx',
      directory: false,
      existingLiteral: 'app/\\[id\\]/page.tsx',
    });
    expect(normaliseLockPath('app/[id]', { root }).existingLiteral).toBe('app/\\[id\\]/**');
    expect(normaliseLockPath('app/[id]/*.tsx', { root }).existingLiteral).toBeUndefined(); // no such literal file
    expect(normaliseLockPath('src/*.ts', { root }).existingLiteral).toBeUndefined();
  });

  it('resolves relative input against cwd when given', () => {
    const root = project();
    const cwd = join(root, 'src');
    expect(normaliseLockPath('a.ts', { root, cwd }).path).toBe('src/a.ts');
    expect(normaliseLockPath('./api/*.ts', { root, cwd }).path).toBe('src/api/*.ts');
    expect(normaliseLockPath('../docs/x.md', { root, cwd }).path).toBe('docs/x.md');
    expect(normaliseLockPath(join(root, 'src/a.ts'), { root, cwd }).path).toBe('src/a.ts');
  });

  it('accepts the root spelled through a symlink', () => {
    const root = project();
    const link = join(testDir(), 'link');
    symlinkSync(root, link);
    expect(normaliseLockPath(join(root, 'src/a.ts'), { root: link }).path).toBe('src/a.ts');
    expect(normaliseLockPath(join(link, 'src/a.ts'), { root }).path).toBe('src/a.ts');
  });

  it('refuses paths that leave the root (PATH_OUTSIDE_ROOT)', () => {
    const root = project();
    mkdirSync(`${root}-sibling`, { recursive: true });
    for (const input of ['../x', '../../etc/passwd', '/etc/passwd', `${root}-sibling/a`, '..', `${root}/../x`]) {
      expect(codeOf(() => normaliseLockPath(input, { root })), input).toBe('PATH_OUTSIDE_ROOT');
    }
    expect(codeOf(() => normaliseLockPath('../../x', { root, cwd: join(root, 'src') }))).toBe('PATH_OUTSIDE_ROOT');
  });

  it('refuses the root itself, bad globs and odd input', () => {
    const root = project();
    expect(codeOf(() => normaliseLockPath('.', { root }))).toBe('INVALID_LOCK_PATH');
    expect(codeOf(() => normaliseLockPath('./', { root }))).toBe('INVALID_LOCK_PATH');
    expect(codeOf(() => normaliseLockPath(root, { root }))).toBe('INVALID_LOCK_PATH');
    expect(codeOf(() => normaliseLockPath('a\0b', { root }))).toBe('INVALID_LOCK_PATH');
    for (const bad of ['', 'src/+(a|b)', '!src', '[z-a]', 'src/{a', 'src/../x', 'a\\']) {
      expect(codeOf(() => normaliseLockPath(bad, { root })), bad).toBe('INVALID_GLOB');
    }
  });
});

describe('normaliseLiteralPath', () => {
  it('gives the root-relative file path, nothing escaped', () => {
    const root = project();
    expect(normaliseLiteralPath(join(root, 'app/[id]/page.tsx'), { root })).toBe('app/[id]/page.tsx');
    expect(normaliseLiteralPath('src/../app/x.ts', { root })).toBe('app/x.ts');
    expect(normaliseLiteralPath('x.ts', { root, cwd: join(root, 'src') })).toBe('src/x.ts');
    expect(normaliseLiteralPath(`${root}//src/./a.ts`, { root })).toBe('src/a.ts');
  });

  it('is null outside the root, for the root itself and for empty input', () => {
    const root = project();
    expect(normaliseLiteralPath('/etc/passwd', { root })).toBeNull();
    expect(normaliseLiteralPath('../x', { root })).toBeNull();
    expect(normaliseLiteralPath(`${root}-other/x`, { root })).toBeNull();
    expect(normaliseLiteralPath(root, { root })).toBeNull();
    expect(normaliseLiteralPath('', { root })).toBeNull();
  });

  it('round-trips through escapeLiteral to a lock path naming exactly that file', () => {
    const root = project();
    const file = normaliseLiteralPath(join(root, 'app/[id]/page.tsx'), { root })!;
    expect(normaliseLockPath(escapeLiteral(file), { root })).toEqual({ path: 'app/\\[id\\]/page.tsx', directory: false });
  });
});
