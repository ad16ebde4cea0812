// The seed API from the package root, on both stores (the PostgreSQL one named by AGENTVISOR_STORE
// and AGENTVISOR_SCOPE, as a user's script would have it): the seed protocol's calls with the
// contract's records; agent id resolution; who owns a lock; bad input rejected with a code and
// nothing written. Root and coordination dir resolution are the file store's.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acquireLock,
  checkConflicts,
  cleanupStaleLocks,
  coordinationDir,
  findRoot,
  ownerFromEnvironment,
  readMessages,
  releaseLock,
  sendMessage,
  updateStatusBoard,
} from '../../src/index.js';
import type { Store } from '../../src/core/store.js';
import { forEachStore, type StoreKind } from '../helpers/stores.js';
import { testDir } from '../helpers/tempdir.js';

const saved = { ...process.env };
beforeEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('AGENTVISOR_') || key === 'AGENT_ID') delete process.env[key];
});
afterEach(() => {
  process.env = { ...saved };
});

/** A fresh store of this kind for the seed API: a dir it is given, or the scope AGENTVISOR_STORE names. */
async function fresh(kind: StoreKind): Promise<{ dir: string; store: Store }> {
  const { dir, store, env } = await kind.open();
  if (env.AGENTVISOR_STORE) Object.assign(process.env, { AGENTVISOR_STORE: env.AGENTVISOR_STORE, AGENTVISOR_SCOPE: env.AGENTVISOR_SCOPE });
  return { dir, store };
}

forEachStore((kind) => {
  describe('the seed calls', () => {
    it('check, acquire, release: true and false as the seed has them', async () => {
      const { dir } = await fresh(kind);
      expect(await acquireLock('src/a.ts', 'api', { dir })).toBe(true);
      expect(await acquireLock('src/*.ts', 'web', { dir })).toBe(false);
      expect(await checkConflicts(['src/a.ts', 'docs/x.md'], 'web', { dir })).toMatchObject([
        { file_path: 'src/a.ts', locked_by: 'api', lock_path: 'src/a.ts', witness: 'src/a.ts', kind: 'refused' },
      ]);
      expect(await releaseLock('src/a.ts', 'web', { dir })).toBe(false);
      expect(await releaseLock('src/a.ts', 'api', { dir })).toBe(true);
      expect(await releaseLock('src/a.ts', 'api', { dir })).toBe(false);
      expect(await acquireLock('src/*.ts', 'web', { dir })).toBe(true);
    });

    it('shared locks, waiting with a timeout, and a TTL', async () => {
      const { dir } = await fresh(kind);
      expect(await acquireLock('lib/**', 'a', { dir, mode: 'shared' })).toBe(true);
      expect(await acquireLock('lib/x.ts', 'b', { dir, mode: 'shared' })).toBe(true);
      expect(await acquireLock('lib/x.ts', 'c', { dir, wait: true, timeoutMs: 50 })).toBe(false);
      expect(await acquireLock('tmp/x', 'd', { dir, ttlMs: 1 })).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await cleanupStaleLocks({ dir })).toBe(1);
    });

    it('a library lock belongs to this process; inside a supervised agent, to the supervisor with a lease', async () => {
      const { dir, store } = await fresh(kind);
      await acquireLock('a', 'x', { dir });
      expect((await store.board()).locks[0]).toMatchObject({ pid: process.pid, lease_ms: null });
      expect(ownerFromEnvironment({ AGENTVISOR_SUPERVISOR: '4242', AGENTVISOR_HEARTBEAT_MS: '2000' }, 'library')).toEqual({ pid: 4242, leaseMs: 6000 });
      expect(ownerFromEnvironment({ AGENTVISOR_SUPERVISOR: '4242' }, 'cli')).toEqual({ pid: 4242, leaseMs: 15000 });
      expect(ownerFromEnvironment({}, 'cli')).toEqual({ pid: null, leaseMs: null });
      expect(ownerFromEnvironment({}, 'library')).toEqual({ pid: process.pid, leaseMs: null });
    });

    it("updateStatusBoard takes the contract's statuses and the seed's in_progress/completed", async () => {
      const { dir, store } = await fresh(kind);
      await updateStatusBoard('api', 'in_progress', ['src/a.ts'], { dir });
      expect((await store.board()).agents.api).toMatchObject({ status: 'running', files: ['src/a.ts'], pid: process.pid, host: hostname() });
      await updateStatusBoard('api', 'completed', [], { dir });
      expect((await store.board()).agents.api).toMatchObject({ status: 'exited', files: [] });
      await expect(updateStatusBoard('api', 'done-ish', [], { dir })).rejects.toMatchObject({ code: 'INVALID_STATUS' });
    });

    it('sendMessage and readMessages: oldest first, peek, read once, broadcast', async () => {
      const { dir } = await fresh(kind);
      await sendMessage('b', 'first', 'a', { dir });
      await sendMessage('b', 'second', 'a', { dir, type: 'handoff' });
      expect((await readMessages('b', { dir, peek: true })).map((m) => m.message)).toEqual(['first', 'second']);
      const read = await readMessages('b', { dir });
      expect(read).toMatchObject([{ from: 'a', to: 'b', type: 'note', message: 'first' }, { type: 'handoff' }]);
      expect(await readMessages('b', { dir })).toEqual([]);
      await updateStatusBoard('c', 'running', [], { dir });
      expect((await sendMessage('*', 'all', 'a', { dir })).map((m) => m.to).sort()).toEqual(['b', 'c']);
    });
  });

  describe('agent id', () => {
    it('from the argument, else AGENT_ID, else unknown_agent with a warning', async () => {
      const { dir, store } = await fresh(kind);
      process.env.AGENT_ID = 'from-env';
      await acquireLock('a', undefined, { dir });
      await acquireLock('b', { dir });
      delete process.env.AGENT_ID;
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.message);
      process.on('warning', onWarning);
      await acquireLock('c', undefined, { dir });
      await new Promise((resolve) => setImmediate(resolve));
      process.off('warning', onWarning);
      const owners = Object.fromEntries((await store.board()).locks.map((l) => [l.file_path, l.agent_id]));
      expect(owners).toEqual({ a: 'from-env', b: 'from-env', c: 'unknown_agent' });
      expect(warnings.join('\n')).toMatch(/unknown_agent/);
    });
  });

  describe('bad input: a coded rejection, and nothing written', () => {
    const cases: [string, (dir: string) => Promise<unknown>, string][] = [
      ['agent id with a slash', (dir) => acquireLock('a', 'a/b', { dir }), 'INVALID_AGENT_ID'],
      ['agent id ../x', (dir) => acquireLock('a', '../x', { dir }), 'INVALID_AGENT_ID'],
      ['empty agent id', (dir) => acquireLock('a', '', { dir }), 'INVALID_AGENT_ID'],
      ['agent id with a space', (dir) => updateStatusBoard('a b', 'running', [], { dir }), 'INVALID_AGENT_ID'],
      ['AGENT_ID that is bad', (dir) => ((process.env.AGENT_ID = 'x y'), acquireLock('a', undefined, { dir })), 'INVALID_AGENT_ID'],
      ['path leaving the root', (dir) => acquireLock('../outside', 'a', { dir }), 'PATH_OUTSIDE_ROOT'],
      ['absolute path outside', (dir) => acquireLock('/etc/passwd', 'a', { dir }), 'PATH_OUTSIDE_ROOT'],
      ['extglob', (dir) => acquireLock('+(a|b)', 'a', { dir }), 'INVALID_GLOB'],
      ['negation', (dir) => checkConflicts(['!src/**'], 'a', { dir }), 'INVALID_GLOB'],
      ['unbalanced brace', (dir) => releaseLock('src/{a,b', 'a', { dir }), 'INVALID_GLOB'],
      ['reversed range', (dir) => acquireLock('src/[z-a].ts', 'a', { dir }), 'INVALID_GLOB'],
      ['empty path', (dir) => acquireLock('', 'a', { dir }), 'INVALID_LOCK_PATH'],
      ['negative timeout', (dir) => acquireLock('a', 'a', { dir, wait: true, timeoutMs: -1 }), 'INVALID_DURATION'],
      ['bad mode', (dir) => acquireLock('a', 'a', { dir, mode: 'both' as 'shared' }), 'INVALID_ARGUMENT'],
      ['bad message type', (dir) => sendMessage('b', 'x', 'a', { dir, type: 'shout' as 'note' }), 'INVALID_MESSAGE'],
      ['bad target', (dir) => sendMessage('../b', 'x', 'a', { dir }), 'INVALID_AGENT_ID'],
      ['bad status', (dir) => updateStatusBoard('a', 'bogus', [], { dir }), 'INVALID_STATUS'],
      ['bad reader id', (dir) => readMessages('a/b', { dir }), 'INVALID_AGENT_ID'],
    ];
    for (const [name, call, code] of cases) {
      it(`${name}: ${code}`, async () => {
        const { dir, store } = await fresh(kind);
        await expect(call(dir)).rejects.toMatchObject({ code, name: 'AgentvisorError' });
        expect(existsSync(dir)).toBe(false);
        expect(await store.board()).toMatchObject({ locks: [], agents: {}, history: [], pending_messages: {} });
      });
    }
  });
});

describe('where things are', () => {
  it('root: AGENTVISOR_ROOT, else the --config folder, else agents.config.json upward, else git, else cwd', () => {
    const top = testDir({ 'repo/.git/HEAD': 'x', 'repo/app/agents.config.json': '{}', 'repo/app/src/deep/.keep': '', 'repo/lib/.keep': '' });
    const repo = join(top, 'repo');
    expect(findRoot({ cwd: join(repo, 'app/src/deep'), env: {} })).toBe(join(repo, 'app'));
    expect(findRoot({ cwd: join(repo, 'lib'), env: {} })).toBe(repo);
    expect(findRoot({ cwd: join(repo, 'lib'), env: {}, configPath: '../app/agents.config.json' })).toBe(join(repo, 'app'));
    expect(findRoot({ cwd: join(repo, 'lib'), env: { AGENTVISOR_ROOT: '/somewhere' } })).toBe('/somewhere');
    const bare = testDir();
    expect(findRoot({ cwd: bare, env: {} })).toBe(bare);
  });

  it('the coordination dir: --dir, else AGENTVISOR_DIR, else <root>/data/.agent_locks, the same from a subfolder', () => {
    const top = testDir({ 'agents.config.json': '{}', 'sub/.keep': '' });
    expect(coordinationDir({ cwd: join(top, 'sub'), env: {} })).toBe(join(top, 'data/.agent_locks'));
    expect(coordinationDir({ cwd: top, env: {} })).toBe(join(top, 'data/.agent_locks'));
    expect(coordinationDir({ cwd: top, env: { AGENTVISOR_DIR: 'x' } })).toBe(join(top, 'x'));
    expect(coordinationDir({ cwd: top, env: { AGENTVISOR_DIR: 'x' }, dir: '/y' })).toBe('/y');
  });

  it('the default dir is found from the root when the caller gives none', async () => {
    const top = testDir({ 'agents.config.json': '{}' });
    mkdirSync(join(top, 'sub'));
    writeFileSync(join(top, 'sub', 'f.ts'), '');
    process.env.AGENTVISOR_ROOT = top;
    expect(await acquireLock('sub/f.ts', 'a')).toBe(true);
    expect(existsSync(join(top, 'data/.agent_locks'))).toBe(true);
  });
});
