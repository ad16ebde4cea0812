// The examples stay honest: each agents.config.json validates, and each hook file has the shape
// that `init` writes (event, matcher, a command that turns any failure into a block).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLAUDE_MATCHER, GEMINI_MATCHER } from '../../src/guard/hook-command.js';
import { runCli } from '../helpers/cli.js';

const EXAMPLES = new URL('../../examples/', import.meta.url);

type Hooks = { hooks: Record<string, { matcher: string; hooks: { type: string; command: string }[] }[]> };

describe('examples', () => {
  it.each(['claude-code', 'codex', 'gemini', 'aider', 'github-actions'])('%s/agents.config.json is valid', async (name) => {
    const result = await runCli(['validate', '--config', new URL(`${name}/agents.config.json`, EXAMPLES).pathname]);
    expect(result.code, result.stderr).toBe(0);
  });

  it.each([
    ['claude-code/.claude/settings.json', 'PreToolUse', CLAUDE_MATCHER],
    ['codex/.codex/hooks.json', 'PreToolUse', 'apply_patch|Edit|Write'],
    ['gemini/.gemini/settings.json', 'BeforeTool', GEMINI_MATCHER],
  ])('%s runs the guard on %s %s, failing closed', (file, event, matcher) => {
    const settings = JSON.parse(readFileSync(new URL(file, EXAMPLES), 'utf8')) as Hooks;
    const [entry] = settings.hooks[event]!;
    expect(entry!.matcher).toBe(matcher);
    expect(entry!.hooks[0]!.command).toMatch(/agentvisor guard \|\| exit 2$/);
  });
});
