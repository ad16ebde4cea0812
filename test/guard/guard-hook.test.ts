// `agentvisor guard` as each client's pre-tool hook, on recorded payloads: it blocks (exit 2,
// reason on stderr) a write of a path another agent holds, exclusive or shared, and allows the rest.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockingHookCommand } from '../../src/guard/hook-command.js';
import { BIN, cleanEnv, runCli } from '../helpers/cli.js';
import { fixture, guard, guardProject, guardUnderClient, hold, LOCK_DIR, locks, thisClientId } from './support.js';

describe('guard blocks', () => {
  it('a Claude Code Write of a path another agent holds, naming path, holder, since and the handoff command', async () => {
    const root = guardProject();
    await hold(root, 'api', ['src/api/**']);
    const since = (await locks(root))[0]!.timestamp;
    const result = await guard(root, fixture('claude-write', root));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('src/api/users.ts');
    expect(result.stderr).toContain('agent "api" holds it (exclusive lock on src/api/**');
    expect(result.stderr).toContain(`since ${since}`);
    // No AGENT_ID: the guard is named after the client process it runs under (here, this test).
    const me = thisClientId();
    expect(result.stderr).toContain(`agentvisor send api --type handoff --from ${me} '`);
    expect(result.stdout).toBe('');

    // The suggested command works as written, and the holder receives the handoff.
    const ask = /^Ask for it: agentvisor (.*)$/m.exec(result.stderr)![1]!;
    const sent = spawnSync('/bin/sh', ['-c', `'${process.execPath}' '${BIN}' ${ask}`], { cwd: root, env: cleanEnv(), encoding: 'utf8' });
    expect(sent.status, sent.stderr).toBe(0);
    const inbox = await runCli(['inbox', '--agent', 'api', '--json'], { cwd: root });
    expect(JSON.parse(inbox.stdout)).toMatchObject([{ from: me, type: 'handoff', message: expect.stringContaining('src/api/users.ts') }]);
  });

  it('a write under a shared (read) lock of another agent', async () => {
    const root = guardProject();
    await hold(root, 'reviewer', ['src/**'], 'shared');
    const result = await guard(root, fixture('claude-write', root), [], { AGENT_ID: 'api' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('agent "reviewer" holds it (shared lock on src/**');
    // AGENT_ID is set, so the suggested command needs no --from.
    expect(result.stderr).toMatch(/agentvisor send reviewer --type handoff '/);
  });

  it('the literal path app/[id]/page.tsx, and not a file that [id] would match as a glob', async () => {
    const root = guardProject();
    await hold(root, 'web', ['src/app/i/page.tsx']);
    expect((await guard(root, fixture('claude-edit', root))).code).toBe(0);
    await hold(root, 'web2', ['src/app/\\[id\\]/page.tsx']);
    const result = await guard(root, fixture('claude-edit', root));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('blocked the edit of src/app/[id]/page.tsx');
  });

  it('every path of a Codex apply_patch (relative to its cwd), including both sides of a move', async () => {
    const root = guardProject();
    await hold(root, 'pages', ['src/app/\\[slug\\]/**']);
    const result = await guard(root, fixture('codex-apply-patch', root));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('blocked the edit of src/app/[slug]/page.tsx: agent "pages"');
    await hold(root, 'docs', ['docs/**']);
    const both = await guard(root, fixture('codex-apply-patch', root), ['--agent', 'pages']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('blocked the edit of docs/old.md: agent "docs"');
  });

  it('Gemini CLI write_file (absolute) and replace (relative to cwd)', async () => {
    const root = guardProject({ 'pkg/.keep': '' });
    await hold(root, 'api', ['src/api/**', 'pkg/src/ui/**']);
    expect((await guard(root, fixture('gemini-write-file', root))).code).toBe(2);
    // replace names src/ui/button.tsx relative to a cwd of <root>/pkg.
    const result = await guard(root, fixture('gemini-replace', root, (p) => (p.cwd = join(root, 'pkg'))));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pkg/src/ui/button.tsx');
  });

  it('two client sessions started by hand are told apart by their client processes', async () => {
    const root = guardProject();
    const first = await guard(root, fixture('claude-write', root), ['--claim']);
    expect(first.code).toBe(0);
    const second = await guardUnderClient(root, fixture('claude-write', root));
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`agent "${thisClientId()}" holds it`);
    // The same client again (a new session id makes no difference: one client process, one agent).
    expect((await guard(root, fixture('claude-write', root, (p) => (p.session_id = 'f00dcafe-0000-4000-8000-000000000000')))).code).toBe(0);
  });
});

describe('guard allows', () => {
  it('its own locks, free paths, paths outside root and tools that write no file', async () => {
    const root = guardProject();
    await hold(root, 'api', ['src/api/**']);
    await hold(root, 'all', ['other/**']);
    expect((await guard(root, fixture('claude-write', root), [], { AGENT_ID: 'api' })).code).toBe(0);
    expect((await guard(root, fixture('claude-write', root), ['--agent', 'api'])).code).toBe(0);
    expect((await guard(root, fixture('claude-multi-edit', root))).code).toBe(0);
    expect((await guard(root, fixture('claude-read', root))).code).toBe(0);
    expect((await guard(root, fixture('gemini-read-file', root))).code).toBe(0);
    const outside = fixture('claude-write', root, (p) => ((p.tool_input as Record<string, string>).file_path = '/tmp/elsewhere/users.ts'));
    expect((await guard(root, outside)).code).toBe(0);
    const escaping = fixture('gemini-replace', root, (p) => ((p.tool_input as Record<string, string>).file_path = '../../src/api/users.ts'));
    expect((await guard(root, escaping)).code).toBe(0);
    expect((await locks(root)).map((l) => l.agent_id).sort()).toEqual(['all', 'api']);
  });

  it('anything when no coordination dir exists, and creates none', async () => {
    const root = guardProject();
    const result = await guard(root, fixture('claude-write', root));
    expect(result.code).toBe(0);
    expect(existsSync(join(root, LOCK_DIR))).toBe(false);
  });
});

describe('guard --claim', () => {
  it('takes a free path as an exclusive lock of the literal path, once', async () => {
    const root = guardProject();
    const result = await guard(root, fixture('claude-edit', root), ['--claim'], { AGENT_ID: 'web' });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('web claimed src/app/[id]/page.tsx');
    const again = await guard(root, fixture('claude-edit', root), ['--claim'], { AGENT_ID: 'web' });
    expect(again.code).toBe(0);
    const held = await locks(root);
    expect(held.map((l) => [l.agent_id, l.file_path, l.mode, l.pid])).toEqual([['web', 'src/app/\\[id\\]/page.tsx', 'exclusive', null]]);
  });

  it('takes nothing under a literal folder the agent already holds: the folder covers its files', async () => {
    const root = guardProject();
    await hold(root, 'api', ['src/api']);
    const result = await guard(root, fixture('claude-write', root), ['--claim'], { AGENT_ID: 'api' });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('claimed');
    expect((await locks(root)).map((l) => [l.agent_id, l.file_path])).toEqual([['api', 'src/api']]);
  });

  it('is refused for a held path, all or nothing', async () => {
    const root = guardProject();
    await hold(root, 'docs', ['docs/**']);
    const result = await guard(root, fixture('codex-apply-patch', root), ['--claim', '--agent', 'codex']);
    expect(result.code).toBe(2);
    expect((await locks(root)).map((l) => l.agent_id)).toEqual(['docs']);
  });
});

describe('guard fails closed', () => {
  it.each([
    ['no input', '', /no hook JSON/],
    ['input that is not JSON', '{"tool_name": "Wri', /not JSON/],
    ['a Write without a path', JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: {} }), /cannot tell which file/],
  ])('on %s: exit 2 saying what failed', async (_what, input, message) => {
    const root = guardProject();
    const result = await guard(root, input);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the edit is blocked because the guard failed/);
    expect(result.stderr).toMatch(message);
  });

  it('when the coordination dir cannot be read', async () => {
    const root = guardProject({ 'locks-file': 'a file where the coordination dir should be' });
    const result = await guard(root, fixture('claude-write', root), ['--dir', 'locks-file']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/guard failed/);
  });

  it('on a bad option or agent id', async () => {
    const root = guardProject();
    expect((await guard(root, fixture('claude-write', root), ['--bogus'])).code).toBe(2);
    expect((await guard(root, fixture('claude-write', root), ['--agent', '../x'])).code).toBe(2);
  });

  it('when the guard cannot even start, through the hook command that run and init write', () => {
    const root = guardProject();
    const command = blockingHookCommand(`'${process.execPath}' '${join(root, 'missing-bin.js')}' guard`);
    const result = spawnSync('/bin/sh', ['-c', command], { input: fixture('claude-write', root), encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Cannot find module/);
  });
});
