// `agentvisor inbox --hook`, the message hook, on each client's documented payloads: unread
// messages become the model's context (hookSpecificOutput.additionalContext, named by the event)
// and are marked read; with nothing unread it prints nothing and creates nothing; a failure never
// blocks the client (exit 0). And what the holder of a lock is told: a forced release.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixture, guardProject, hold, LOCK_DIR, thisClientId } from './support.js';

function messageHook(root: string, payload: string, env: Record<string, string | undefined> = {}) {
  return runCli(['inbox', '--hook'], { cwd: root, input: payload, env });
}

interface HookJson {
  hookSpecificOutput: { hookEventName: string; additionalContext: string };
}

async function send(root: string, to: string, text: string, type = 'note'): Promise<void> {
  const sent = await runCli(['send', to, text, '--from', 'web', '--type', type], { cwd: root });
  expect(sent.code, sent.stderr).toBe(0);
}

describe('inbox --hook', () => {
  it('prints nothing and creates nothing when there is nothing to say', async () => {
    const root = guardProject();
    const result = await messageHook(root, fixture('claude-post-tool-use', root), { AGENT_ID: 'api' });
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(join(root, LOCK_DIR))).toBe(false);
  });

  it('hands unread messages to Claude Code after a tool call, once', async () => {
    const root = guardProject();
    await hold(root, 'api', ['src/api/**']);
    await send(root, 'api', 'please release src/api/** when you can', 'handoff');
    await send(root, 'api', 'schema changed');
    const result = await messageHook(root, fixture('claude-post-tool-use', root), { AGENT_ID: 'api' });
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as HookJson;
    expect(out.hookSpecificOutput.hookEventName).toBe('PostToolUse');
    const context = out.hookSpecificOutput.additionalContext;
    expect(context).toContain('2 new messages');
    expect(context).toMatch(/from web \(handoff, .*\): please release src\/api\/\*\* when you can\n- from web \(note, .*\): schema changed/);
    expect(context).toContain('release them');
    // Marked read: the next tool call hears nothing, and `inbox` has nothing left.
    expect((await messageHook(root, fixture('claude-post-tool-use', root), { AGENT_ID: 'api' })).stdout).toBe('');
    expect((await runCli(['inbox', '--agent', 'api', '--json'], { cwd: root })).stdout.trim()).toBe('[]');
  });

  it('answers each client and event in its own terms', async () => {
    const root = guardProject();
    const cases: [string, string][] = [
      ['claude-user-prompt-submit', 'UserPromptSubmit'],
      ['codex-post-tool-use', 'PostToolUse'],
      ['gemini-after-tool', 'AfterTool'],
      ['gemini-before-agent', 'BeforeAgent'],
    ];
    await hold(root, 'api', ['src/api/**']);
    for (const [name, event] of cases) {
      await send(root, 'api', `hello via ${name}`);
      const result = await messageHook(root, fixture(name, root), { AGENT_ID: 'api' });
      expect(result.code, result.stderr).toBe(0);
      const out = JSON.parse(result.stdout) as HookJson;
      expect(out, name).toEqual({ hookSpecificOutput: { hookEventName: event, additionalContext: expect.stringContaining(`hello via ${name}`) } });
    }
  });

  it('without AGENT_ID, delivers to the agent named after the client process (as the guard and the MCP server do)', async () => {
    const root = guardProject();
    const me = thisClientId();
    await hold(root, me, ['src/web/**']);
    await send(root, me, 'for this session');
    const out = JSON.parse((await messageHook(root, fixture('claude-post-tool-use', root))).stdout) as HookJson;
    expect(out.hookSpecificOutput.additionalContext).toContain('for this session');
  });

  it('a failure is said on stderr and exits 0 (a prompt is never blocked)', async () => {
    const root = guardProject();
    await hold(root, 'api', ['src/api/**']);
    await send(root, 'api', 'hi');
    const result = await messageHook(root, fixture('claude-user-prompt-submit', root), { AGENT_ID: 'api', AGENTVISOR_STORE: 'postgres://nowhere.invalid/x' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/messages not delivered this time/);
  });
});

describe('the holder is told', () => {
  it('when a lock of its is force-released, through its message hook', async () => {
    const root = guardProject();
    await hold(root, 'api', ['src/api/**']);
    const forced = await runCli(['unlock', 'src/api/**', '--force', '--agent', 'ops'], { cwd: root });
    expect(forced.code, forced.stderr).toBe(0);
    const out = JSON.parse((await messageHook(root, fixture('claude-post-tool-use', root), { AGENT_ID: 'api' })).stdout) as HookJson;
    expect(out.hookSpecificOutput.additionalContext).toMatch(/from ops \(status, .*\): ops force-released your lock on src\/api\/\*\*: you no longer hold it/);
  });
});
