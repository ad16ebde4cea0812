// The CLI on the PostgreSQL store beyond the contract tests both stores run (test/cli/lock,
// messages and status.test.ts): --store and --scope as flags, status naming the scope, the guard blocking a path another agent
// holds, and the seed API in a process of its own.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { BoardRecord } from '../../src/core/records.js';
import { cli, json, LOCK_DIR, project } from '../cli/support.js';
import { fixture as hookFixture } from '../guard/support.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { describePg, freshScope, pgUrl } from '../helpers/pg.js';

const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

function onPg(scope = freshScope()): { env: Record<string, string>; scope: string } {
  return { env: { AGENTVISOR_STORE: pgUrl(), AGENTVISOR_SCOPE: scope }, scope };
}

describePg('the CLI on PostgreSQL', () => {
  it('--store and --scope on the command line: status names the scope (--json: scope and now), never the password', async () => {
    const root = project();
    const scope = freshScope();
    const flags = ['--store', pgUrl(), '--scope', scope];
    expect((await cli(root, ['lock', 'a.txt', '--agent', 'one', ...flags])).code).toBe(0);
    expect((await cli(root, ['lock', 'a.txt', '--agent', 'two', ...flags])).code).toBe(3);
    const board = json<BoardRecord>(await cli(root, ['status', '--json', ...flags]));
    expect(board).toMatchObject({ scope, locks: [{ agent_id: 'one', file_path: 'a.txt' }] });
    expect(Date.parse(board.now!)).not.toBeNaN();
    expect(board.conflicts).toMatchObject([{ agent_id: 'two', locked_by: 'one', kind: 'refused' }]);
    const text = await cli(root, ['status', ...flags]);
    expect(text.stdout).toContain(`scope ${scope}`);
    expect(text.stdout + text.stderr).not.toContain(new URL(pgUrl()).password);
    expect(existsSync(join(root, LOCK_DIR))).toBe(false);
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
