// `init --claude`, `--codex`, `--gemini`: each client's hook config written or merged, keeping
// every existing setting and hook, unchanged on a second run, refused (file untouched) when the
// existing file is not JSON. The written command really blocks.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixture, guardProject, hold } from './support.js';

type Settings = { hooks: Record<string, { matcher: string; hooks: { type: string; command: string; timeout?: number; name?: string }[] }[]> } & Record<string, unknown>;

function read(root: string, file: string): Settings {
  return JSON.parse(readFileSync(join(root, file), 'utf8')) as Settings;
}

describe('init hook configs', () => {
  it('--claude writes a PreToolUse hook for the file tools, and no starter config', async () => {
    const root = guardProject();
    const result = await runCli(['init', '--claude'], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
    const [entry] = read(root, '.claude/settings.json').hooks.PreToolUse!;
    expect(entry!.matcher).toBe('Write|Edit|MultiEdit|NotebookEdit');
    expect(entry!.hooks[0]!.command).toMatch(/ guard \|\| exit 2$/);
    expect(readFileSync(join(root, 'agents.config.json'), 'utf8')).toBe('{ "agents": [] }\n');
  });

  it('the hook command it writes blocks a held path when the client runs it', async () => {
    const root = guardProject();
    expect((await runCli(['init', '--claude'], { cwd: root })).code).toBe(0);
    await hold(root, 'api', ['src/api/**']);
    const command = read(root, '.claude/settings.json').hooks.PreToolUse![0]!.hooks[0]!.command;
    const run = spawnSync('/bin/sh', ['-c', command], { cwd: root, input: fixture('claude-write', root), encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('agent "api" holds it');
  });

  it('keeps existing settings and hooks, adds its own once, and changes nothing on a second run', async () => {
    const existing = {
      permissions: { allow: ['Bash(npm test)'] },
      hooks: {
        PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: './check-bash.sh' }] }],
        Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }],
      },
    };
    const root = guardProject({ '.claude/settings.json': JSON.stringify(existing) });
    expect((await runCli(['init', '--claude'], { cwd: root })).code).toBe(0);
    const merged = read(root, '.claude/settings.json');
    // The user's permissions kept; the agentvisor MCP tools allowed beside them.
    expect(merged.permissions).toEqual({ allow: ['Bash(npm test)', 'mcp__agentvisor'] });
    expect(merged.hooks.Stop).toEqual(existing.hooks.Stop);
    expect(merged.hooks.PreToolUse![0]).toEqual(existing.hooks.PreToolUse[0]);
    expect(merged.hooks.PreToolUse).toHaveLength(2);

    const text = readFileSync(join(root, '.claude/settings.json'), 'utf8');
    const mcp = readFileSync(join(root, '.mcp.json'), 'utf8');
    const again = await runCli(['init', '--claude'], { cwd: root });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already runs agentvisor guard');
    expect(readFileSync(join(root, '.claude/settings.json'), 'utf8')).toBe(text);
    expect(readFileSync(join(root, '.mcp.json'), 'utf8')).toBe(mcp);
  });

  it('updates its own hook in place when the guard command changes', async () => {
    const root = guardProject();
    expect((await runCli(['init', '--gemini', '--guard-command', 'npx --no-install agentvisor guard'], { cwd: root })).code).toBe(0);
    expect((await runCli(['init', '--gemini', '--guard-command', '/opt/bin/agentvisor guard'], { cwd: root })).code).toBe(0);
    const hooks = read(root, '.gemini/settings.json').hooks.BeforeTool!;
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.hooks.map((h) => h.command)).toEqual(['/opt/bin/agentvisor guard || exit 2']);
  });

  it.each([
    ['claude', '.claude/settings.json', '{ "hooks": { "PreToolUse": [ }'],
    ['codex', '.codex/hooks.json', 'not json'],
    ['gemini', '.gemini/settings.json', '{ "hooks": { "BeforeTool": {} } }'],
  ])('--%s refuses an existing %s it cannot merge into, and leaves it untouched', async (flag, file, text) => {
    const root = guardProject({ [file]: text });
    const result = await runCli(['init', `--${flag}`], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toContain('left untouched');
    expect(readFileSync(join(root, file), 'utf8')).toBe(text);
  });

  it('--codex writes .codex/hooks.json for apply_patch and says how to trust it', async () => {
    const root = guardProject();
    const result = await runCli(['init', '--codex'], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
    const [entry] = read(root, '.codex/hooks.json').hooks.PreToolUse!;
    expect(entry!.matcher).toContain('apply_patch');
    expect(entry!.hooks[0]).toMatchObject({ type: 'command', timeout: 60 });
    expect(result.stdout).toContain('trust_level = "trusted"');
    expect(result.stdout).toContain('/hooks');
  });

  it('--gemini writes a BeforeTool hook for write_file and replace (timeout in ms)', async () => {
    const root = guardProject({ '.gemini/settings.json': '{ "theme": "GitHub" }' });
    const result = await runCli(['init', '--gemini'], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
    const settings = read(root, '.gemini/settings.json');
    expect(settings.theme).toBe('GitHub');
    expect(settings.hooks.BeforeTool![0]).toMatchObject({ matcher: 'write_file|replace', hooks: [{ name: 'agentvisor-guard', timeout: 60000 }] });
    expect(existsSync(join(root, '.claude'))).toBe(false);
  });
});

describe('init registers the message hook and the MCP server beside the guard', () => {
  it('--claude: PostToolUse and UserPromptSubmit run inbox --hook; .mcp.json holds the server, approved and allowed', async () => {
    const root = guardProject({ '.mcp.json': JSON.stringify({ mcpServers: { other: { command: 'x' } } }) });
    expect((await runCli(['init', '--claude'], { cwd: root })).code).toBe(0);
    const settings = read(root, '.claude/settings.json');
    const message = settings.hooks.PostToolUse![0]!;
    expect(message.matcher).toBe('*');
    expect(message.hooks[0]!.command).toMatch(/ inbox --hook$/);
    expect(settings.hooks.UserPromptSubmit![0]!.hooks[0]!.command).toBe(message.hooks[0]!.command);
    expect(settings.enabledMcpjsonServers).toEqual(['agentvisor']);
    const servers = (JSON.parse(readFileSync(join(root, '.mcp.json'), 'utf8')) as { mcpServers: Record<string, { command: string; args: string[] }> }).mcpServers;
    expect(servers.other).toEqual({ command: 'x' });
    expect(servers.agentvisor!.args.at(-1)).toBe('mcp');

    // The message hook as written delivers a message when the client runs it.
    await hold(root, 'api', ['src/api/**']);
    expect((await runCli(['send', 'api', 'hello from web', '--from', 'web'], { cwd: root })).code).toBe(0);
    const run = spawnSync('/bin/sh', ['-c', message.hooks[0]!.command], { cwd: root, input: fixture('claude-post-tool-use', root), env: { ...process.env, AGENT_ID: 'api' }, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('hello from web');
  });

  it('--codex: PostToolUse and UserPromptSubmit in .codex/hooks.json; [mcp_servers.agentvisor] in .codex/config.toml, variables by name; once', async () => {
    const root = guardProject({ '.codex/config.toml': 'model = "o4"\n' });
    expect((await runCli(['init', '--codex'], { cwd: root })).code).toBe(0);
    const hooks = read(root, '.codex/hooks.json').hooks;
    expect(hooks.PostToolUse![0]!.hooks[0]!.command).toMatch(/ inbox --hook$/);
    expect(hooks.PostToolUse![0]!.matcher).toBeUndefined();
    expect(hooks.UserPromptSubmit![0]!.hooks[0]!.command).toMatch(/ inbox --hook$/);
    const config = readFileSync(join(root, '.codex/config.toml'), 'utf8');
    expect(config).toMatch(/^model = "o4"\n\n\[mcp_servers\.agentvisor\]\ncommand = ".*"\nargs = \[.*"mcp"\]\nenv_vars = \["AGENT_ID", "AGENTVISOR_DIR", "AGENTVISOR_ROOT"/);
    expect((await runCli(['init', '--codex'], { cwd: root })).stdout).toContain('already runs agentvisor guard');
    expect(readFileSync(join(root, '.codex/config.toml'), 'utf8')).toBe(config);
  });

  it('--gemini: AfterTool and BeforeAgent run inbox --hook; mcpServers.agentvisor, trusted', async () => {
    const root = guardProject();
    expect((await runCli(['init', '--gemini'], { cwd: root })).code).toBe(0);
    const settings = read(root, '.gemini/settings.json') as Settings & { mcpServers: Record<string, { args: string[]; trust: boolean }> };
    expect(settings.hooks.AfterTool![0]!.hooks[0]).toMatchObject({ name: 'agentvisor-messages', command: expect.stringMatching(/ inbox --hook$/), timeout: 30_000 });
    expect(settings.hooks.BeforeAgent![0]!.hooks[0]!.command).toMatch(/ inbox --hook$/);
    expect(settings.mcpServers.agentvisor).toMatchObject({ trust: true, args: expect.arrayContaining(['mcp']) });
  });
});
