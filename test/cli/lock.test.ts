// lock, unlock and check through the built CLI, as real processes, on both stores (a coordination
// dir, a PostgreSQL scope): exit codes, conflict sentences, waiting in line, forced release; and, on
// the file store only since they are about paths and folders, directories, glob-like file names,
// one root seen from anywhere, and --dir.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BoardRecord, ConflictRecord, LockRecord } from '../../src/core/records.js';
import { waitFor } from '../helpers/wait-for.js';
import { testDir } from '../helpers/tempdir.js';
import { forEachStore } from '../helpers/stores.js';
import { cli, coordinationDirExists, json, onStore, project } from './support.js';

forEachStore((kind) => describe('lock / unlock / check', () => {
  it('takes, reports, refuses overlapping, and releases exactly once', async () => {
    const { cli } = onStore(kind.name);
    const root = project();
    const taken = await cli(root, ['lock', 'src/api/**', 'docs/a.md', '--agent', 'api', '--json']);
    expect(taken.code, taken.stderr).toBe(0);
    const locks = json<LockRecord[]>(taken);
    expect(locks.map((l) => [l.file_path, l.agent_id, l.mode, l.pid])).toEqual([
      ['src/api/**', 'api', 'exclusive', null],
      ['docs/a.md', 'api', 'exclusive', null],
    ]);
    expect(locks[0]!.token).toBeGreaterThan(0);
    expect(coordinationDirExists(root)).toBe(kind.name === 'file');

    // Another agent: refused (exit 3), the holder, the held path and a witness said on stderr.
    const refused = await cli(root, ['lock', 'src/**/auth.ts', 'free.ts', '--agent', 'web']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('`src/api/**` is held by api (exclusive, since ');
    expect(refused.stderr).toContain(`token ${locks[0]!.token}`);
    expect(refused.stderr).toMatch(/it overlaps `src\/\*\*\/auth\.ts`, e\.g\. `src\/api\/(.+\/)?auth\.ts`/);
    expect(refused.stderr).toContain("agentvisor send api --type handoff 'please release src/api/**'");

    // All or nothing: free.ts was not taken; check agrees, with records on --json.
    const checkFree = await cli(root, ['check', 'free.ts', '--agent', 'web']);
    expect(checkFree.code, checkFree.stderr).toBe(0);
    const checked = await cli(root, ['check', 'src/**/auth.ts', '--agent', 'web', '--json']);
    expect(checked.code).toBe(3);
    const conflicts = json<ConflictRecord[]>(checked);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ file_path: 'src/**/auth.ts', locked_by: 'api', lock_path: 'src/api/**' });
    expect(conflicts[0]!.witness).toMatch(/^src\/api\/(.+\/)?auth\.ts$/);
    // The holder's own locks never conflict.
    expect((await cli(root, ['check', 'src/api/x.ts', '--agent', 'api'])).code).toBe(0);

    const jsonRefusal = await cli(root, ['lock', 'src/api/v1/**', '--agent', 'web', '--json']);
    expect(jsonRefusal.code).toBe(3);
    expect(json<ConflictRecord[]>(jsonRefusal)[0]).toMatchObject({ locked_by: 'api', lock_path: 'src/api/**', kind: 'refused' });

    // Only the holder releases; a second release is 1 and names the path.
    const notMine = await cli(root, ['unlock', 'src/api/**', '--agent', 'web']);
    expect(notMine.code).toBe(1);
    expect(notMine.stderr).toContain('`src/api/**`');
    expect((await cli(root, ['unlock', 'src/api/**', 'docs/a.md', '--agent', 'api'])).code).toBe(0);
    const twice = await cli(root, ['unlock', 'docs/a.md', '--agent', 'api']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('not held by api: `docs/a.md`');
    expect((await cli(root, ['check', 'src/api/auth.ts', '--agent', 'web'])).code).toBe(0);
  });

  it('shared locks overlap shared ones only; --force releases another agent\'s lock, recorded as forced', async () => {
    const { cli } = onStore(kind.name);
    const root = project();
    const env = { AGENT_ID: 'reader1' };
    expect((await cli(root, ['lock', 'src/types/**', '--shared'], { env })).code).toBe(0);
    expect((await cli(root, ['lock', 'src/types/a.ts', '--shared', '--agent', 'reader2'])).code).toBe(0);
    expect((await cli(root, ['lock', 'src/types/a.ts', '--agent', 'writer'])).code).toBe(3);

    const forced = await cli(root, ['unlock', 'src/types/**', '--agent', 'writer', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('released `src/types/**` (held by reader1, forced)');
    const board = json<BoardRecord>(await cli(root, ['status', '--json']));
    expect(board.locks.map((l) => l.agent_id)).toEqual(['reader2']);
    expect(board.history.some((h) => h.event === 'forced' && h.file_path === 'src/types/**')).toBe(true);
  });

  it('of two processes locking overlapping globs at once, exactly one wins and the other names it', async () => {
    const { cli } = onStore(kind.name);
    const root = project();
    const [a, b] = await Promise.all([
      cli(root, ['lock', 'src/*.py', '--agent', 'a']),
      cli(root, ['lock', 'src/a*', '--agent', 'b']),
    ]);
    expect([a.code, b.code].sort()).toEqual([0, 3]);
    const [winner, loser] = a.code === 0 ? ['a', b] : ['b', a];
    expect(loser.stderr).toContain(`is held by ${winner}`);
    expect(loser.stderr).toMatch(/e\.g\. `src\/a[^`]*\.py`/);
  });

  it('--wait waits in line until the holder unlocks; --wait 200ms gives up with 3', async () => {
    const { cli, start } = onStore(kind.name);
    const root = project();
    expect((await cli(root, ['lock', 'src/**', '--agent', 'holder'])).code).toBe(0);

    const timedOut = await cli(root, ['lock', 'src/x.ts', '--agent', 'impatient', '--wait', '200ms']);
    expect(timedOut.code).toBe(3);
    expect(timedOut.stderr).toContain('gave up waiting after 200ms: nothing was locked');
    expect(timedOut.stderr).toContain('held by holder');

    const waiter = start(root, ['lock', 'src/x.ts', '--agent', 'patient', '--wait']);
    // Waiting is never silent: the first line says what is awaited and who holds it.
    await waitFor(() => waiter.stderr().includes('waiting for `src/x.ts`'), { what: 'the waiting line' });
    expect(waiter.stderr()).toContain("holder's `src/**`");
    expect((await cli(root, ['unlock', 'src/**', '--agent', 'holder'])).code).toBe(0);
    expect(await waiter.exited).toBe(0);
    expect(waiter.stdout()).toContain('locked `src/x.ts` for patient');
  });

  it('an interrupted wait takes nothing and exits 130', async () => {
    const { cli, start } = onStore(kind.name);
    const root = project();
    expect((await cli(root, ['lock', 'a.txt', '--agent', 'holder'])).code).toBe(0);
    const waiter = start(root, ['lock', 'a.txt', 'b.txt', '--agent', 'w', '--wait']);
    await waitFor(() => waiter.stderr().includes('waiting for'), { what: 'the waiting line' });
    waiter.child.kill('SIGINT');
    expect(await waiter.exited).toBe(130);
    expect((await cli(root, ['check', 'b.txt', '--agent', 'other'])).code).toBe(0);
  });
}));

// File-only: the CLI's paths and folders (the store sees only the lock paths they become).
describe('lock paths from the file system', () => {
  it('a directory becomes its subtree, said on stderr', async () => {
    const root = project([], { 'src/api/index.ts': '' });
    const taken = await cli(root, ['lock', 'src/api', '--agent', 'api']);
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stderr).toContain('`src/api/**`');
    expect(taken.stdout).toContain('locked `src/api/**`');
    expect((await cli(root, ['check', 'src/api/new/file.ts', '--agent', 'web'])).code).toBe(3);
    expect((await cli(root, ['unlock', 'src/api', '--agent', 'api'])).code).toBe(0);
  });

  it('a glob that is also an existing file\'s name says how to lock that file literally', async () => {
    const root = project([], { 'app/[id]/page.tsx': '' });
    const globbed = await cli(root, ['lock', 'app/[id]/page.tsx', '--agent', 'web']);
    expect(globbed.code, globbed.stderr).toBe(0);
    expect(globbed.stderr).toContain('`app/\\[id\\]/page.tsx`');
    // The glob covers app/i/page.tsx, not the file named app/[id]/page.tsx; the escaped path does.
    expect((await cli(root, ['check', 'app/i/page.tsx', '--agent', 'api'])).code).toBe(3);
    expect((await cli(root, ['check', 'app/\\[id\\]/page.tsx', '--agent', 'api'])).code).toBe(0);
    expect((await cli(root, ['lock', 'app/\\[id\\]/page.tsx', '--agent', 'api'])).code).toBe(0);
  });

  it('an agent in a subfolder and a person at the top level see the same locks', async () => {
    // Root by agents.config.json, by git, and by AGENTVISOR_ROOT.
    const byConfig = project([], { 'pkg/sub/file.ts': '' });
    const byGit = testDir({ '.git': null, 'pkg/sub/file.ts': '' });
    const byEnv = testDir({ 'pkg/sub/file.ts': '' });
    for (const [root, env] of [[byConfig, {}], [byGit, {}], [byEnv, { AGENTVISOR_ROOT: byEnv }]] as const) {
      const sub = join(root, 'pkg', 'sub');
      const taken = await cli(sub, ['lock', join(sub, 'file.ts'), '--agent', 'deep'], { env });
      expect(taken.code, taken.stderr).toBe(0);
      const board = json<BoardRecord>(await cli(root, ['status', '--json'], { env }));
      expect(board.locks.map((l) => [l.file_path, l.agent_id])).toEqual([['pkg/sub/file.ts', 'deep']]);
      expect(coordinationDirExists(root)).toBe(true);
      expect(coordinationDirExists(sub)).toBe(false);
      // A relative lock path is relative to root wherever the command runs.
      const relative = await cli(sub, ['lock', 'other.txt', '--agent', 'deep', '--json'], { env });
      expect(json<LockRecord[]>(relative)[0]!.file_path).toBe('other.txt');
    }
  });

  it('--dir and AGENTVISOR_DIR choose the coordination dir', async () => {
    const root = project();
    const other = testDir();
    expect((await cli(root, ['lock', 'a.txt', '--agent', 'x', '--dir', other])).code).toBe(0);
    expect(coordinationDirExists(root)).toBe(false);
    expect((await cli(root, ['check', 'a.txt', '--agent', 'y'], { env: { AGENTVISOR_DIR: other } })).code).toBe(3);
    expect((await cli(root, ['check', 'a.txt', '--agent', 'y'])).code).toBe(0);
  });
});
