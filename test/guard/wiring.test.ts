// Wiring agentvisor into the clients `run` recognises: Claude Code by its command line (argv and
// shell string, through a real shell), Codex by a private CODEX_HOME (the user's config, auth and
// sessions carried over by link, exactly agentvisor's hooks trusted, the MCP server given the
// variables by name), Gemini CLI by a private system settings file; per agent, guard and mcp off.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codexHookHash, codexHookKey } from '../../src/guard/wiring/codex-trust.js';
import type { HookCommands } from '../../src/guard/wiring/hooks.js';
import { wireClient, type AgentWiringInput } from '../../src/guard/wiring/index.js';
import { testDir } from '../helpers/tempdir.js';

const HOOKS: HookCommands = {
  guard: "'/opt/node dir/node' '/srv/it'\\''s/bin.js' guard || exit 2",
  messages: "'/opt/node dir/node' '/srv/it'\\''s/bin.js' inbox --hook",
  mcp: { command: '/opt/node dir/node', args: ["/srv/it's/bin.js", 'mcp'] },
};
const AGENT: AgentWiringInput = { id: 'api', guard: true, mcp: true, messagesToStdin: false };
const ENV = { AGENT_ID: 'api', AGENTVISOR_DIR: '/p/data/.agent_locks', AGENTVISOR_ROOT: '/p', AGENTVISOR_STORE: 'postgres://u:secret@db/x', PATH: '/usr/bin' };

interface ClaudeSettings {
  hooks?: Record<string, { matcher?: string; hooks: { command: string }[] }[]>;
  permissions?: { allow: string[] };
}

function claudeParts(argv: string[]): { settings: ClaudeSettings | null; mcp: unknown } {
  const value = (flag: string): string | undefined => argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  const settings = value('--settings');
  const mcp = value('--mcp-config');
  return { settings: settings ? (JSON.parse(settings) as ClaudeSettings) : null, mcp: mcp ? JSON.parse(mcp) : null };
}

function fakeProgramOnPath(name: string): NodeJS.ProcessEnv {
  const dir = testDir({ [`bin/${name}`]: '#!/usr/bin/env node\nprocess.stdout.write(JSON.stringify(process.argv.slice(2)));\n' });
  chmodSync(join(dir, 'bin', name), 0o755);
  return { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` };
}

describe('claude', () => {
  it('gets the guard, the message hook, the MCP tools allowed and the MCP server, right after the program', () => {
    const { request } = wireClient({ command: ['claude', '-p', 'Add the users module'], env: ENV }, AGENT, { hooks: HOOKS });
    const argv = request.command as string[];
    expect(argv[0]).toBe('claude');
    expect(argv.slice(-2)).toEqual(['-p', 'Add the users module']);
    const { settings, mcp } = claudeParts(argv);
    expect(settings!.hooks!.PreToolUse).toEqual([{ matcher: 'Write|Edit|MultiEdit|NotebookEdit', hooks: [{ type: 'command', command: HOOKS.guard, timeout: 60 }] }]);
    expect(settings!.hooks!.PostToolUse![0]!.hooks[0]!.command).toBe(HOOKS.messages);
    expect(settings!.hooks!.UserPromptSubmit![0]!.hooks[0]!.command).toBe(HOOKS.messages);
    expect(settings!.permissions).toEqual({ allow: ['mcp__agentvisor'] });
    expect(mcp).toEqual({ mcpServers: { agentvisor: { type: 'stdio', command: HOOKS.mcp.command, args: HOOKS.mcp.args } } });
    // Values of agentvisor's variables never reach the command line.
    expect(argv.join(' ')).not.toContain('secret');
  });

  it('in a shell string, passes through a real shell intact (a prompt after the options is not swallowed)', () => {
    const env = fakeProgramOnPath('claude');
    const { request } = wireClient({ command: "FOO=1 claude 'Add pagination' --permission-mode acceptEdits", env: ENV }, AGENT, { hooks: HOOKS });
    const argv = JSON.parse(execFileSync('/bin/sh', ['-c', request.command as string], { env, encoding: 'utf8' })) as string[];
    expect(argv.slice(-3)).toEqual(['Add pagination', '--permission-mode', 'acceptEdits']);
    expect(claudeParts(argv).settings!.hooks!.PreToolUse![0]!.hooks[0]!.command).toBe(HOOKS.guard);
  });

  it('"guard": false, "mcp": false and stdin messages each leave their part out', () => {
    const noGuard = claudeParts(wireClient({ command: ['claude'], env: ENV }, { ...AGENT, guard: false }, { hooks: HOOKS }).request.command as string[]);
    expect(noGuard.settings!.hooks!.PreToolUse).toBeUndefined();
    expect(noGuard.mcp).not.toBeNull();
    const noMcp = claudeParts(wireClient({ command: ['claude'], env: ENV }, { ...AGENT, mcp: false }, { hooks: HOOKS }).request.command as string[]);
    expect(noMcp.mcp).toBeNull();
    expect(noMcp.settings!.permissions).toBeUndefined();
    const stdin = claudeParts(wireClient({ command: ['claude'], env: ENV }, { ...AGENT, messagesToStdin: true }, { hooks: HOOKS }).request.command as string[]);
    expect(stdin.settings!.hooks!.PostToolUse).toBeUndefined();
    const nothing = wireClient({ command: ['claude', '-p', 'x'], env: ENV }, { ...AGENT, guard: false, mcp: false, messagesToStdin: true }, { hooks: HOOKS });
    expect(nothing.request.command).toEqual(['claude', '-p', 'x']);
  });

  it('leaves other programs alone', () => {
    for (const command of [['node', 'agent.js', 'claude'], 'claudette -p x', 'echo codex', ['/usr/bin/python3', 'gemini']]) {
      const { request } = wireClient({ command, env: ENV }, AGENT, { hooks: HOOKS });
      expect(request).toEqual({ command, env: ENV });
    }
  });
});

function userCodexHome(): string {
  return testDir({
    'config.toml': 'model = "o4"\n[projects."/p"]\ntrust_level = "trusted"\n',
    'hooks.json': JSON.stringify({ hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'mine.sh' }] }] } }),
    'auth.json': '{"token":"user-login"}',
    'sessions/2026/12/03/rollout.jsonl': '{}\n',
  }, 'agentvisor-user-codex-');
}

describe('codex', () => {
  it('runs with a private CODEX_HOME (0700): the user\'s config and hooks plus agentvisor\'s, auth and sessions linked, removed at the end', () => {
    const user = userCodexHome();
    const parent = testDir({}, 'agentvisor-tmp-');
    const wired = wireClient({ command: 'codex exec --full-auto "fix it"', env: { ...ENV, CODEX_HOME: user } }, AGENT, { hooks: HOOKS, privateParent: parent });
    const home = wired.request.env.CODEX_HOME!;
    expect(home.startsWith(parent)).toBe(true);
    expect(wired.request.command).toBe('codex exec --full-auto "fix it"');
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(lstatSync(join(home, 'auth.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(home, 'auth.json'))).toBe(join(user, 'auth.json'));
    expect(readlinkSync(join(home, 'sessions'))).toBe(join(user, 'sessions'));

    const hooks = JSON.parse(readFileSync(join(home, 'hooks.json'), 'utf8')) as { hooks: Record<string, { matcher?: string; hooks: { command: string; timeout: number }[] }[]> };
    expect(hooks.hooks.PreToolUse).toEqual([
      { matcher: 'Bash', hooks: [{ type: 'command', command: 'mine.sh' }] },
      { matcher: 'apply_patch|Edit|Write', hooks: [{ type: 'command', command: HOOKS.guard, timeout: 60 }] },
    ]);
    expect(hooks.hooks.PostToolUse![0]!.hooks[0]!.command).toBe(HOOKS.messages);
    expect(hooks.hooks.UserPromptSubmit![0]!.hooks[0]!.command).toBe(HOOKS.messages);

    const config = readFileSync(join(home, 'config.toml'), 'utf8');
    expect(config.startsWith('model = "o4"\n[projects."/p"]\ntrust_level = "trusted"\n')).toBe(true);
    expect(config).toContain('[mcp_servers.agentvisor]\ncommand = "/opt/node dir/node"\nargs = ["/srv/it\'s/bin.js", "mcp"]\n');
    expect(config).toContain('env_vars = ["AGENT_ID", "AGENTVISOR_DIR", "AGENTVISOR_ROOT", "AGENTVISOR_STORE"]');
    expect(config).not.toContain('secret');
    // Exactly agentvisor's own hooks are trusted: the user's own hook (group 0) is not.
    const trusted = [...config.matchAll(/^\[hooks\.state\.("[^\n]*")\]\ntrusted_hash = ("[^"]*")$/gm)].map((m) => [JSON.parse(m[1]!), JSON.parse(m[2]!)]);
    const file = join(home, 'hooks.json');
    expect(trusted).toEqual([
      [codexHookKey(file, 'PreToolUse', 1, 0), codexHookHash('PreToolUse', 'apply_patch|Edit|Write', { command: HOOKS.guard, timeout: 60 })],
      [codexHookKey(file, 'PostToolUse', 0, 0), codexHookHash('PostToolUse', null, { command: HOOKS.messages, timeout: 30 })],
      [codexHookKey(file, 'UserPromptSubmit', 0, 0), codexHookHash('UserPromptSubmit', null, { command: HOOKS.messages, timeout: 30 })],
    ]);
    expect(trusted[0]![0]).toBe(`${file}:pre_tool_use:1:0`);
    expect(trusted[0]![1]).toMatch(/^sha256:[0-9a-f]{64}$/);

    wired.dispose();
    expect(existsSync(home)).toBe(false);
    expect(readFileSync(join(user, 'auth.json'), 'utf8')).toBe('{"token":"user-login"}');
    expect(existsSync(join(user, 'sessions/2026/12/03/rollout.jsonl'))).toBe(true);
  });

  it('without a CODEX_HOME of the user\'s, and with only the guard', () => {
    const parent = testDir({}, 'agentvisor-tmp-');
    const wired = wireClient({ command: ['codex', 'exec', 'x'], env: { AGENT_ID: 'api', HOME: join(parent, 'nohome') } as Record<string, string> }, { ...AGENT, mcp: false, messagesToStdin: true }, { hooks: HOOKS, privateParent: parent });
    const home = wired.request.env.CODEX_HOME!;
    const config = readFileSync(join(home, 'config.toml'), 'utf8');
    expect(config).not.toContain('mcp_servers');
    expect(config.match(/\[hooks\.state\./g)).toHaveLength(1);
    expect(Object.keys((JSON.parse(readFileSync(join(home, 'hooks.json'), 'utf8')) as { hooks: object }).hooks)).toEqual(['PreToolUse']);
    wired.dispose();
  });
});

describe('gemini', () => {
  it('runs with a private GEMINI_CLI_HOME: the user\'s settings plus the guard, the message hooks and the MCP server (variables by name), the rest of ~/.gemini linked', () => {
    const parent = testDir({}, 'agentvisor-tmp-');
    const home = testDir({
      '.gemini/settings.json': JSON.stringify({ general: { vimMode: true }, mcpServers: { theirs: { command: 'x' } }, hooks: { BeforeTool: [{ matcher: 'run_shell_command', hooks: [{ type: 'command', command: 'mine.sh' }] }] } }),
      '.gemini/oauth_creds.json': '{"token":"user-login"}',
    }, 'agentvisor-user-home-');
    const wired = wireClient({ command: ['gemini', '-p', 'x'], env: { ...ENV, HOME: home } as Record<string, string> }, AGENT, { hooks: HOOKS, privateParent: parent });
    const privateHome = wired.request.env.GEMINI_CLI_HOME!;
    expect(privateHome.startsWith(parent)).toBe(true);
    expect(readlinkSync(join(privateHome, '.gemini', 'oauth_creds.json'))).toBe(join(home, '.gemini', 'oauth_creds.json'));
    const file = join(privateHome, '.gemini', 'settings.json');
    const settings = JSON.parse(readFileSync(file, 'utf8')) as {
      general: unknown;
      hooks: Record<string, { matcher?: string; hooks: { command: string; timeout?: number }[] }[]>;
      hooksConfig: { enabled: boolean };
      mcpServers: Record<string, { command: string; args: string[]; env?: Record<string, string>; trust?: boolean }>;
    };
    expect(settings.general).toEqual({ vimMode: true });
    expect(settings.hooks.BeforeTool![0]!.hooks[0]!.command).toBe('mine.sh');
    expect(settings.hooks.BeforeTool![1]).toMatchObject({ matcher: 'write_file|replace', hooks: [{ command: HOOKS.guard, timeout: 60_000 }] });
    expect(settings.hooks.AfterTool![0]!.hooks[0]!.command).toBe(HOOKS.messages);
    expect(settings.hooks.BeforeAgent![0]!.hooks[0]!.command).toBe(HOOKS.messages);
    expect(settings.hooksConfig.enabled).toBe(true);
    expect(settings.mcpServers.theirs).toEqual({ command: 'x' });
    expect(settings.mcpServers.agentvisor).toEqual({
      ...HOOKS.mcp,
      trust: true,
      env: { AGENT_ID: '$AGENT_ID', AGENTVISOR_DIR: '$AGENTVISOR_DIR', AGENTVISOR_ROOT: '$AGENTVISOR_ROOT', AGENTVISOR_STORE: '$AGENTVISOR_STORE' },
    });
    expect(readFileSync(file, 'utf8')).not.toContain('secret');
    wired.dispose();
    expect(existsSync(privateHome)).toBe(false);
    expect(readFileSync(join(home, '.gemini', 'oauth_creds.json'), 'utf8')).toBe('{"token":"user-login"}');
  });
});
