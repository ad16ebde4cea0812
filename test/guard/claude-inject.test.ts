// injectClaudeGuard: the --settings hook reaches a program named claude intact through a real
// shell, and other programs are left alone.

import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeGuardSettings, injectClaudeGuard } from '../../src/guard/claude-inject.js';
import { testDir } from '../helpers/tempdir.js';

const GUARD = "'/opt/node dir/node' '/srv/it'\\''s/bin.js' guard";

/** A fake `claude` on PATH that prints the argv it got, so the shell's parsing is what is checked. */
function fakeClaudeOnPath(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = testDir({ 'bin/claude': '#!/usr/bin/env node\nprocess.stdout.write(JSON.stringify(process.argv.slice(2)));\n' });
  chmodSync(join(dir, 'bin/claude'), 0o755);
  return { dir, env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` } };
}

function argvThroughShell(command: string, env: NodeJS.ProcessEnv): string[] {
  return JSON.parse(execFileSync('/bin/sh', ['-c', command], { env, encoding: 'utf8' })) as string[];
}

describe('injectClaudeGuard', () => {
  it('gives claude a PreToolUse hook for the file-writing tools that turns any failure into exit 2', () => {
    const settings = JSON.parse(claudeGuardSettings(GUARD)) as {
      hooks: { PreToolUse: { matcher: string; hooks: { type: string; command: string }[] }[] };
    };
    const entry = settings.hooks.PreToolUse[0]!;
    expect(entry.matcher).toBe('Write|Edit|MultiEdit|NotebookEdit');
    expect(entry.hooks[0]!.command).toBe(`${GUARD} || exit 2`);
  });

  it('inserts --settings after the program of a shell string, which the shell passes intact', () => {
    const { env } = fakeClaudeOnPath();
    const injected = injectClaudeGuard("FOO=1 claude -p 'Add pagination' --permission-mode acceptEdits", { guardCommand: GUARD });
    expect(typeof injected).toBe('string');
    const argv = argvThroughShell(injected as string, env);
    expect(argv).toEqual(['--settings', claudeGuardSettings(GUARD), '-p', 'Add pagination', '--permission-mode', 'acceptEdits']);
  });

  it('inserts --settings into an argv array whose program is a path to claude', () => {
    const injected = injectClaudeGuard(['/usr/local/bin/claude', '-p', 'x'], { guardCommand: GUARD });
    expect(injected).toEqual(['/usr/local/bin/claude', '--settings', claudeGuardSettings(GUARD), '-p', 'x']);
  });

  it('leaves other programs unchanged, and does not inject twice', () => {
    expect(injectClaudeGuard('node agent.js claude', { guardCommand: GUARD })).toBe('node agent.js claude');
    expect(injectClaudeGuard(['codex', 'exec', 'x'], { guardCommand: GUARD })).toEqual(['codex', 'exec', 'x']);
    expect(injectClaudeGuard('claudette -p x', { guardCommand: GUARD })).toBe('claudette -p x');
    const once = injectClaudeGuard('claude -p x', { guardCommand: GUARD });
    expect(injectClaudeGuard(once, { guardCommand: GUARD })).toBe(once);
  });
});
