// `init --git-hook` and `guard --git-staged` in real git repositories: commits touching paths that
// other agents hold are refused (both sides of a rename), the coordination dir never counts,
// core.hooksPath is respected and an existing pre-commit hook keeps running first.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { writeTree } from '../helpers/tempdir.js';
import { guardProject, hold } from './support.js';

function git(root: string, args: string[], env: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8', env: cleanEnv(env) });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function repo(): string {
  const root = guardProject({ 'README.md': 'hello\n' });
  git(root, ['init', '-q']);
  git(root, ['config', 'user.email', 't@example.com']);
  git(root, ['config', 'user.name', 'Test']);
  git(root, ['add', '.']);
  git(root, ['commit', '-qm', 'start', '--no-verify']);
  return root;
}

function commitFiles(root: string, files: Record<string, string>, env: Record<string, string> = {}): { status: number | null; out: string } {
  writeTree(root, files);
  git(root, ['add', ...Object.keys(files)]);
  return git(root, ['commit', '-qm', 'change'], env);
}

describe('init --git-hook', () => {
  it('installs a pre-commit hook that refuses a commit touching a held path, and only that', async () => {
    const root = repo();
    const init = await runCli(['init', '--git-hook'], { cwd: root });
    expect(init.code, init.stderr).toBe(0);
    const hook = join(root, '.git/hooks/pre-commit');
    expect(statSync(hook).mode & 0o111).not.toBe(0);
    expect(readFileSync(join(root, 'agents.config.json'), 'utf8')).toBe('{ "agents": [] }\n');

    await hold(root, 'api', ['src/api/**']);
    const refused = commitFiles(root, { 'src/api/a.ts': 'a\n', 'src/web/b.ts': 'b\n' });
    expect(refused.status).toBe(1);
    expect(refused.out).toMatch(/src\/api\/a\.ts\s+held by api \(lock src\/api\/\*\*, since \d\d:\d\d:\d\d\)/);
    expect(refused.out).not.toMatch(/\d{4}-\d\d-\d\dT/); // a time for people, never raw ISO
    expect(refused.out).not.toContain('src/web/b.ts  held');
    expect(refused.out).toContain('agentvisor send api --type handoff');

    // The holder itself may commit.
    expect(git(root, ['commit', '-qm', 'as api'], { AGENT_ID: 'api' }).status).toBe(0);
    expect(commitFiles(root, { 'src/web/c.ts': 'c\n' }).status).toBe(0);
  });

  it('counts both sides of a rename and never the coordination dir', async () => {
    const root = repo();
    expect((await runCli(['init', '--git-hook'], { cwd: root })).code).toBe(0);
    expect(commitFiles(root, { 'src/api/old.ts': 'x\n' }).status).toBe(0);
    await hold(root, 'api', ['src/api/**']);
    await hold(root, 'everything', ['data/**', 'lib/**'], 'shared');
    git(root, ['mv', 'src/api/old.ts', 'src/moved.ts']);
    const renamed = git(root, ['commit', '-qm', 'move']);
    expect(renamed.status).toBe(1);
    expect(renamed.out).toContain('src/api/old.ts');
    git(root, ['reset', '-q', '--hard']);

    // Lock files are data/.agent_locks/*; even forced into the index they never count.
    expect(git(root, ['add', '-f', 'data/.agent_locks']).status).toBe(0);
    expect(git(root, ['commit', '-qm', 'locks']).status).toBe(0);
  });

  it('writes where core.hooksPath points, keeps an existing hook running first, and installs once', async () => {
    const root = repo();
    git(root, ['config', 'core.hooksPath', '.githooks']);
    mkdirSync(join(root, '.githooks'));
    const existing = join(root, '.githooks/pre-commit');
    writeFileSync(existing, '#!/bin/sh\necho ran >> "$(git rev-parse --show-toplevel)/previous-hook.log"\n[ ! -f "$(git rev-parse --show-toplevel)/fail-previous" ]\n');
    chmodSync(existing, 0o755);

    const first = await runCli(['init', '--git-hook'], { cwd: root });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('previous hook runs first');
    const installed = readFileSync(existing, 'utf8');
    expect(installed).toContain('agentvisor guard --git-staged');
    expect(existsSync(join(root, '.githooks/pre-commit.before-agentvisor'))).toBe(true);

    const again = await runCli(['init', '--git-hook'], { cwd: root });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already runs agentvisor guard --git-staged');
    expect(readFileSync(existing, 'utf8')).toBe(installed);

    expect(commitFiles(root, { 'a.txt': 'a\n' }).status).toBe(0);
    expect(readFileSync(join(root, 'previous-hook.log'), 'utf8')).toBe('ran\n');
    writeFileSync(join(root, 'fail-previous'), '');
    expect(commitFiles(root, { 'b.txt': 'b\n' }).status).not.toBe(0);
  });

  it('outside a git repository: a clear error, nothing written', async () => {
    const root = guardProject();
    const result = await runCli(['init', '--git-hook'], { cwd: root, env: { GIT_CEILING_DIRECTORIES: join(root, '..') } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/needs a git repository/);
  });
});
