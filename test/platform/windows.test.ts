// On Windows every command exits 1 at once with a message pointing to WSL. We cannot run Windows
// here, so the built CLI runs as a real process whose process.platform is made 'win32' before it
// loads (node --import): the entry check is what answers, and nothing is written.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../helpers/cli.js';
import { testDir } from '../helpers/tempdir.js';

const AS_WINDOWS = `data:text/javascript,${encodeURIComponent("Object.defineProperty(process, 'platform', { value: 'win32' });")}`;

describe('on Windows', () => {
  it.each([['lock', 'src/a.ts', '--agent', 'a'], ['run'], ['status'], ['guard']])('`%s` exits 1 pointing to WSL, writing nothing', (...args) => {
    const root = testDir({ 'agents.config.json': '{"agents":[{"id":"a","command":"true"}]}' });
    const result = spawnSync(process.execPath, ['--import', AS_WINDOWS, BIN, ...args], { cwd: root, env: cleanEnv(), input: '', encoding: 'utf8', timeout: 20_000 });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/WSL/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(root, 'data'))).toBe(false);
  });

  it('the same CLI on this system is not refused', () => {
    const result = spawnSync(process.execPath, [BIN, 'status', '--json'], { cwd: testDir(), env: cleanEnv(), encoding: 'utf8', timeout: 20_000 });
    expect(result.status, result.stderr).toBe(0);
  });
});
