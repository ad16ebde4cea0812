// The CLI contract on the PostgreSQL store (AGENTVISOR_STORE / --store): the same exit codes,
// sentences and --json records as on files, no coordination dir written, status naming the scope,
// the guard blocking a path another agent holds, and the seed API in a process of its own.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { BoardRecord, ConflictRecord, LockRecord, MessageRecord } from '../../src/core/records.js';
import { cli, json, LOCK_DIR, project, start } from '../cli/support.js';
import { fixture as hookFixture } from '../guard/support.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { describePg, freshScope, pgUrl } from '../helpers/pg.js';
import { waitFor } from '../helpers/wait-for.js';

const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

function onPg(scope = freshScope()): { env: Record<string, string>; scope: string } {
  return { env: { AGENTVISOR_STORE: pgUrl(), AGENTVISOR_SCOPE: scope }, scope };
}

describePg('the CLI on PostgreSQL', () => {
  it('lock, check, unlock: exit codes, sentences and records as on files; nothing written to disk', async () => {
    const root = project();
    const { env } = onPg();
    const taken = await cli(root, ['lock', 'src/api/**', 'docs/a.md', '--agent', 'api', '--json'], { env });
    expect(taken.code, taken.stderr).toBe(0);
    const locks = json<LockRecord[]>(taken);
    expect(locks.map((l) => [l.file_path, l.agent_id, l.mode, l.pid])).toEqual([
      ['src/api/**', 'api', 'exclusive', null],
      ['docs/a.md', 'api', 'exclusive', null],
    ]);
    const refused = await cli(root, ['lock', 'src/**/auth.ts', 'free.ts', '--agent', 'web'], { env });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('`src/api/**` is held by api (exclusive, since ');
    expect(refused.stderr).toContain(`token ${locks[0]!.token}`);
    expect((await cli(root, ['check', 'free.ts', '--agent', 'web'], { env })).code).toBe(0);
    const checked = await cli(root, ['check', 'src/**/auth.ts', '--agent', 'web', '--json'], { env });
    expect(checked.code).toBe(3);
    expect(json<ConflictRecord[]>(checked)[0]).toMatchObject({ file_path: 'src/**/auth.ts', locked_by: 'api', lock_path: 'src/api/**' });
    expect((await cli(root, ['unlock', 'src/api/**', '--agent', 'web'], { env })).code).toBe(1);
    expect((await cli(root, ['unlock', 'src/api/**', 'docs/a.md', '--agent', 'api'], { env })).code).toBe(0);
    const twice = await cli(root, ['unlock', 'docs/a.md', '--agent', 'api'], { env });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('not held by api: `docs/a.md`');
    const forced = await cli(root, ['lock', 'x', '--agent', 'a'], { env });
    expect(forced.code).toBe(0);
    expect((await cli(root, ['unlock', 'x', '--agent', 'b', '--force'], { env })).code).toBe(0);
    expect(existsSync(join(root, LOCK_DIR))).toBe(false);
  });

  it('lock --wait waits in line and is granted on release; status --json is the board with scope and now', async () => {
    const root = project();
    const { env, scope } = onPg();
    expect((await cli(root, ['lock', 'a.txt', '--agent', 'one'], { env })).code).toBe(0);
    const waiter = start(root, ['lock', 'a.txt', '--agent', 'two', '--wait', '20s'], { env });
    await waitFor(() => waiter.stderr().includes('one'), { what: 'the waiting line naming the holder' });
    expect((await cli(root, ['unlock', 'a.txt', '--agent', 'one'], { env })).code).toBe(0);
    expect(await waiter.exited).toBe(0);
    const status = await cli(root, ['status', '--json'], { env });
    const board = json<BoardRecord>(status);
    expect(board).toMatchObject({ scope, locks: [{ agent_id: 'two', file_path: 'a.txt' }] });
    expect(Date.parse(board.now!)).not.toBeNaN();
    expect(board.history.map((h) => `${h.agent_id} ${h.event}`)).toEqual(['one locked', 'one released', 'two locked']);
    expect(board.conflicts).toMatchObject([{ agent_id: 'two', locked_by: 'one', kind: 'refused' }]);
    const text = await cli(root, ['status'], { env });
    expect(text.stdout).toContain(`scope ${scope}`);
    expect(text.stdout).not.toContain(new URL(pgUrl()).password);
  });

  it('send (an unknown target is 2), inbox (--peek, --json), cleanup', async () => {
    const root = project(['api', 'web']);
    const { env } = onPg();
    expect((await cli(root, ['send', 'api', 'hello', '--from', 'web'], { env })).code).toBe(0);
    expect((await cli(root, ['send', 'nobody', 'hi', '--from', 'web'], { env })).code).toBe(2);
    const peek = await cli(root, ['inbox', '--agent', 'api', '--peek', '--json'], { env });
    expect(json<MessageRecord[]>(peek)).toMatchObject([{ from: 'web', to: 'api', type: 'note', message: 'hello' }]);
    const read = await cli(root, ['inbox', '--agent', 'api'], { env });
    expect(read.stdout).toMatch(/^web \(note, .*\): hello$/m);
    expect(json<MessageRecord[]>(await cli(root, ['inbox', '--agent', 'api', '--json'], { env }))).toEqual([]);
    const cleanup = await cli(root, ['cleanup', '--json'], { env });
    expect(cleanup.code, cleanup.stderr).toBe(0);
  });

  it('the guard blocks an edit of a path another agent holds, and allows the rest', async () => {
    const root = project();
    const { env } = onPg();
    expect((await cli(root, ['lock', 'src/app/**', '--agent', 'api'], { env })).code).toBe(0);
    const blocked = await runCli(['guard', '--agent', 'web'], { cwd: root, env, input: hookFixture('claude-edit', root) });
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain('agent "api" holds it');
    const own = await runCli(['guard', '--agent', 'api'], { cwd: root, env, input: hookFixture('claude-edit', root) });
    expect(own.code, own.stderr).toBe(0);
  });

  it('the seed API in a process of its own reaches the store AGENTVISOR_STORE names', () => {
    const { env } = onPg();
    const script = `
      const api = await import(${JSON.stringify(DIST)});
      const out = [];
      out.push(await api.acquireLock('src/a.ts', 'a'));
      out.push(await api.acquireLock('src/*.ts', 'b'));
      out.push((await api.checkConflicts(['src/a.ts'], 'b')).map((c) => c.locked_by));
      await api.sendMessage('b', 'hi', 'a');
      out.push((await api.readMessages('b')).map((m) => m.message));
      out.push(await api.releaseLock('src/a.ts', 'a'));
      out.push(await api.releaseLock('src/a.ts', 'a'));
      console.log(JSON.stringify(out));`;
    const root = project();
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, env: cleanEnv(env), encoding: 'utf8', timeout: 30_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([true, false, ['a'], ['hi'], true, false]);
    expect(existsSync(join(root, LOCK_DIR))).toBe(false);
  });
});
