// Never two writers, on the file store's side (issue 8), file-only because each is about files: an
// unreadable lock file, a symlinked folder of the project, junk in the coordination dir, a
// seed-format lock file dated in the future, a renewal waiting on the dir's mutex, and the fencing
// token after the dir is deleted. Each was a way to let two agents in, or to freeze or break the
// store; the witness is the lock files themselves, read by the test. (One agent id in two
// processes, literal paths, crafted globs and a reader killed mid-delivery run on both stores:
// test/store-contract/.)

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../../../src/core/fs-store/file-store.js';
import type { LockOwner } from '../../../src/index.js';
import { fixture as hookFixture } from '../../guard/support.js';
import { runCli } from '../../helpers/cli.js';
import { testDir } from '../../helpers/tempdir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { runActor, spawnActor, writeLockFile } from './support.js';

const SELF: LockOwner = { pid: process.pid, leaseMs: null };
const LOCK_DIR = join('data', '.agent_locks');

function project(tree: Record<string, string | null> = {}): { root: string; dir: string } {
  const root = testDir({ 'agents.config.json': JSON.stringify({ agents: [] }), ...tree });
  return { root, dir: join(root, LOCK_DIR) };
}

/** The lock records on disk (regular files only), read directly: the witness. */
function onDisk(dir: string): { agent_id: string; file_path: string; pid: number | null }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.lock'))
    .flatMap((n) => {
      try {
        return [JSON.parse(readFileSync(join(dir, n), 'utf8')) as { agent_id: string; file_path: string; pid: number | null }];
      } catch {
        return [];
      }
    });
}

describe('an unreadable lock file', () => {
  it('is held by no id an agent can have: a requester named "unknown" is refused too', async () => {
    const { dir } = project();
    writeLockFile(dir, 'torn.lock', '{"agent_id": "a", "file_');
    const store = new FileStore({ dir });
    const result = await store.acquire({ agentId: 'unknown', paths: [{ path: 'x.txt', mode: 'exclusive' }], owner: SELF });
    expect(result).toMatchObject({ granted: false, conflicts: [{ locked_by: '(unreadable)', lock_path: '**' }] });
    expect(await store.check('unknown', [{ path: 'y', mode: 'shared' }])).toHaveLength(1);
    await store.close();
  });
});

describe('what a lock path covers', () => {
  it('a symlinked folder inside root is the same files (lib -> src): lib/** overlaps src/**', async () => {
    const { root } = project({ 'src/a.ts': '' });
    symlinkSync('src', join(root, 'lib'));
    const first = await runCli(['lock', 'lib/**', '--agent', 'a'], { cwd: root });
    expect(first.code, first.stderr).toBe(0);
    const second = await runCli(['lock', 'src/a.ts', '--agent', 'b'], { cwd: root });
    expect(second.code, second.stdout + second.stderr).toBe(3);
    // The guard judges an edit through the link the same way.
    const through = await runCli(['check', 'lib/a.ts', '--agent', 'b'], { cwd: root });
    expect(through.code).toBe(3);
  });
});

describe('junk in the coordination dir', () => {
  it('a FIFO, a symlink to /dev/zero and a directory named *.lock freeze nothing; cleanup names and removes them', async () => {
    const { root, dir } = project();
    mkdirSync(dir, { recursive: true });
    execFileSync('mkfifo', [join(dir, 'fifo.lock')]);
    symlinkSync('/dev/zero', join(dir, 'zero.lock'));
    mkdirSync(join(dir, 'folder.lock'));
    const options = { cwd: root, timeoutMs: 15_000 };
    for (const args of [['lock', 'x.txt', '--agent', 'a'], ['check', 'y.txt', '--agent', 'b'], ['status', '--json'], ['unlock', 'x.txt', '--agent', 'a']]) {
      const result = await runCli(args, options);
      expect(result.signal, `${args.join(' ')} hung`).toBeNull();
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    // The guard reads the same lock files on every edit: it answers too (the path is free: allow).
    const guard = await runCli(['guard', '--agent', 'b'], { ...options, input: hookFixture('claude-write', root) });
    expect(guard.signal, 'the guard hung').toBeNull();
    expect(guard.code, guard.stderr).toBe(0);
    const cleanup = await runCli(['cleanup', '--json'], options);
    expect(cleanup.code, cleanup.stderr).toBe(0);
    const report = JSON.parse(cleanup.stdout) as { removed: { name: string; what: string }[] };
    expect(report.removed.map((r) => r.name).sort()).toEqual(['fifo.lock', 'folder.lock', 'zero.lock']);
    expect(readdirSync(dir).filter((n) => n.endsWith('.lock'))).toEqual([]);
    expect(existsSync('/dev/zero')).toBe(true);
  });
});

describe('a seed-format lock dated in the future', () => {
  it('is said to be suspect, and reclaimed an hour after it was first seen', async () => {
    const { dir } = project();
    writeLockFile(dir, 'seed.lock', JSON.stringify({ agent_id: 'py', file_path: 'src/a.py', timestamp: '2099-01-01T00:00:00.000Z', status: 'active' }));
    // A first section sees it now.
    await runActor(dir, [{ op: 'cleanup' }]);
    const seen = await runActor(dir, [{ op: 'list' }]);
    expect(seen.lines[0]!.result).toMatchObject([{ agent_id: 'py', suspect: expect.stringMatching(/in the future/) }]);
    // Two hours later (this process's wall clock moved on): reclaimed by the 1-hour rule.
    const later = await runActor(dir, [{ op: 'cleanup' }], { AGENTVISOR_TEST_CLOCK_OFFSET_MS: String(2 * 3_600_000) });
    expect(later.lines[0]!.result).toMatchObject([{ agent_id: 'py', file_path: 'src/a.py' }]);
    expect(onDisk(dir)).toEqual([]);
  });
});

describe('a renewal on a deadline', () => {
  it('waits for a stopped holder only its budget, and fails without looking through /proc for it', async () => {
    const { root, dir } = project();
    const store = new FileStore({ dir });
    await store.acquire({ agentId: 'a', paths: [{ path: 'x', mode: 'exclusive' }], owner: SELF });
    const release = join(root, 'go');
    const holder = spawnActor(dir, [{ op: 'acquire', agent: 'h', paths: ['y'] }], { AGENTVISOR_FAULTS: 'acquire.in-mutex=pause', AGENTVISOR_FAULT_RELEASE: release });
    holder.child.stdin!.end();
    try {
      await waitFor(() => existsSync(`${release}.paused`), { what: 'the holder inside the mutex' });
      const renewal = store.renew('a', { pid: process.pid, waitMs: 200 });
      await expect(renewal).rejects.toMatchObject({ code: 'STORE_BUSY', facts: { holderPid: null } });
    } finally {
      writeFileSync(release, '');
    }
    await holder.exited;
    await store.close();
  });
});

describe('the fencing token', () => {
  it('never goes backwards when the coordination dir is deleted', async () => {
    const { dir } = project();
    const take = async (agent: string) => {
      const store = new FileStore({ dir });
      const result = await store.acquire({ agentId: agent, paths: [{ path: `${agent}.txt`, mode: 'exclusive' }], owner: SELF });
      await store.close();
      if (!result.granted) throw new Error('not granted');
      return result.token;
    };
    const first = await take('a');
    const second = await take('b');
    expect(second).toBeGreaterThan(first);
    rmSync(dir, { recursive: true, force: true });
    const third = await take('c');
    expect(third).toBeGreaterThan(second);
  });
});
