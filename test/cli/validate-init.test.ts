// `agentvisor validate` and `agentvisor init` through the built CLI, in throwaway project folders.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testDir } from '../helpers/tempdir.js';
import { CONTRACT_EXAMPLE } from '../config/fixture.js';

const json = (value: unknown) => JSON.stringify(value, null, 2);
const agent = (id: string, extra: Record<string, unknown> = {}) => ({ id, command: 'true', ...extra });

describe('validate', () => {
  test("the contract's example is valid (its claude commands are not run)", async () => {
    const root = testDir({ 'agents.config.json': CONTRACT_EXAMPLE, 'sub/dir/': null });
    const result = await runCli(['validate'], { cwd: root });
    expect(result).toMatchObject({ code: 0, stdout: 'agents.config.json: valid, 2 agents: api, reviewer\n', stderr: '' });
    const fromBelow = await runCli(['validate'], { cwd: join(root, 'sub', 'dir') });
    expect(fromBelow).toMatchObject({ code: 0, stdout: `${join(root, 'agents.config.json')}: valid, 2 agents: api, reviewer\n` });
  });

  test('--config names the file', async () => {
    const root = testDir({ 'configs/one.json': json({ agents: [agent('solo')] }) });
    const result = await runCli(['validate', '--config', 'configs/one.json'], { cwd: root });
    expect(result).toMatchObject({ code: 0, stdout: 'configs/one.json: valid, 1 agent: solo\n' });
  });

  test.each([
    ['invalid JSON', '{\n  "agents": [,]\n}', 'agents.config.json:2:14: invalid JSON: unexpected ",", expected a value'],
    ['an unknown key', json({ agents: [agent('a', { own: ['x'] })] }), 'agents.config.json: agents[0].own: unknown key; did you mean "owns"?'],
    ['a bad agent id', json({ agents: [agent('../x')] }), 'agents.config.json: agents[0].id: "../x" is not a valid agent id'],
    ['a wrong type', json({ agents: [agent('a', { owns: 'src/**' })] }), 'agents.config.json: agents[0].owns: expected an array, got "src/**"'],
    ['no agents', json({ agents: [] }), 'agents.config.json: agents: must hold at least one agent'],
    ['a path leaving the root', json({ agents: [agent('a'), agent('b', { owns: ['../x'] })] }), 'agents.config.json: agents[1].owns[0]: "../x" leaves the project root'],
    ['a prompt for an inbox agent', json({ agents: [agent('a', { prompt: 'go' })] }), 'agents.config.json: agents[0].prompt: needs "messages": "stdin"'],
    ['a duplicate id', json({ agents: [agent('a'), agent('a')] }), 'agents.config.json: agents[1].id: duplicate id "a" (also agents[0])'],
    ['an unknown dependency', json({ agents: [agent('a', { dependsOn: ['b'] })] }), 'agents.config.json: agents[0].dependsOn[0]: unknown agent "b"'],
    ['a cycle', json({ agents: [agent('a', { dependsOn: ['b'] }), agent('b', { dependsOn: ['a'] })] }), 'agents.config.json: agents[0].dependsOn: dependency cycle: a → b → a'],
    ['overlapping owns with onConflict "fail"', json({ onConflict: 'fail', agents: [agent('a', { owns: ['src/**'] }), agent('b', { owns: ['src/b.ts'] })] }), 'agents.config.json: agents[1].owns[0]: agents "b" and "a" (agents[0]) own overlapping paths, "src/b.ts" with "src/**"'],
  ])('%s: exit 2, the problem on stderr, nothing written', async (_kind, text, expected) => {
    const root = testDir({ 'agents.config.json': text });
    const result = await runCli(['validate'], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([expect.stringContaining(expected)]);
    expect(result.stderr.startsWith(expected)).toBe(true);
    expect(readdirSync(root)).toEqual(['agents.config.json']);
  });

  test('overlapping owns by default: valid, and each pair named in one line', async () => {
    const root = testDir({ 'agents.config.json': json({ agents: [agent('a', { owns: ['src/**'] }), agent('b', { owns: ['src/b.ts', 'src/c.ts'] }), agent('c', { owns: ['src/**'] })] }) });
    const result = await runCli(['validate'], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      'agents.config.json: valid, 3 agents: a, b, c',
      'agents.config.json: agents[1].owns[0]: agent "b" waits for agent "a" (agents[0]): their owns overlap, "src/b.ts" with "src/**" (both match "src/b.ts"), "src/c.ts" with "src/**" (both match "src/c.ts"); they run one after the other in config order (dependsOn would order them instead; onConflict "fail" refuses this)',
      expect.stringMatching(/^agents\.config\.json: agents\[2\]\.owns\[0\]: agent "c" waits for agent "a" \(agents\[0\]\)/),
      expect.stringMatching(/^agents\.config\.json: agents\[2\]\.owns\[0\]: agent "c" waits for agent "b" \(agents\[1\]\)/),
    ]);
  });

  test('every problem, one per line', async () => {
    const root = testDir({ 'agents.config.json': json({ onConflict: 'never', agents: [agent('a', { restart: 'sometimes', colour: 1 })] }) });
    const result = await runCli(['validate'], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(3);
  });

  test('no config to find: exit 2, saying how to make one', async () => {
    const root = testDir({});
    const result = await runCli(['validate'], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no agents.config.json in');
    expect(result.stderr).toContain('agentvisor init');
    const missing = await runCli(['validate', '--config', 'nope.json'], { cwd: root });
    expect(missing).toMatchObject({ code: 2, stderr: 'nope.json: not found\n' });
  });
});

describe('run with a bad config', () => {
  test.each([
    ['overlapping owns with onConflict "fail"', { onConflict: 'fail', agents: [agent('a', { command: 'touch ran', owns: ['x'] }), agent('b', { owns: ['x'] })] }],
    ['a path leaving the root', { agents: [agent('a', { command: 'touch ran', owns: ['../x'] })] }],
    ['an unknown key', { agents: [agent('a', { command: 'touch ran', onws: ['x'] })] }],
  ])('%s: exit 2, nothing started, nothing written to the coordination dir', async (_kind, value) => {
    const root = testDir({ 'agents.config.json': json(value) });
    const coordination = join(testDir({}), 'coordination');
    const result = await runCli(['run'], { cwd: root, env: { AGENTVISOR_DIR: coordination } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^agents\.config\.json: agents\[\d\]\./);
    expect(readdirSync(root)).toEqual(['agents.config.json']);
    expect(existsSync(coordination)).toBe(false);
  });
});

describe('init', () => {
  test('writes a starter config that validate accepts, and ignores the coordination dir', async () => {
    const root = testDir({});
    const result = await runCli(['init'], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('wrote agents.config.json\ncreated .gitignore with data/.agent_locks/\n');
    const written = JSON.parse(readFileSync(join(root, 'agents.config.json'), 'utf8')) as { $schema: string; agents: unknown[] };
    expect(written.$schema).toBe('./node_modules/agentvisor/agents.config.schema.json');
    expect(written.agents).toHaveLength(3);
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('data/.agent_locks/\n');
    const validated = await runCli(['validate'], { cwd: root });
    expect(validated.code).toBe(0);
    expect(validated.stdout.split('\n').filter(Boolean)).toEqual([
      'agents.config.json: valid, 3 agents: writer, reader, editor',
      expect.stringContaining('agents[2].owns[0]: agent "editor" waits for agent "writer" (agents[0])'),
    ]);
    // and it runs, on any machine: the editor after the writer
    const ran = await runCli(['run'], { cwd: root });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout.indexOf('[editor]')).toBeGreaterThan(ran.stdout.indexOf('[writer]'));
  });

  test('refuses to overwrite (exit 1, nothing changed); --force overwrites; the .gitignore line is added once', async () => {
    const root = testDir({ 'agents.config.json': '{"mine": true}\n', '.gitignore': 'node_modules/' });
    const refused = await runCli(['init'], { cwd: root });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('agentvisor: agents.config.json already exists; pass --force to overwrite it\n');
    expect(readFileSync(join(root, 'agents.config.json'), 'utf8')).toBe('{"mine": true}\n');
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('node_modules/');

    const forced = await runCli(['init', '--force'], { cwd: root });
    expect(forced).toMatchObject({ code: 0, stdout: 'overwrote agents.config.json\nadded data/.agent_locks/ to .gitignore\n' });
    expect(readFileSync(join(root, 'agents.config.json'), 'utf8')).toContain('"agents"');
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('node_modules/\ndata/.agent_locks/\n');

    const again = await runCli(['init', '--force'], { cwd: root });
    expect(again).toMatchObject({ code: 0, stdout: 'overwrote agents.config.json\n.gitignore already ignores data/.agent_locks/\n' });
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('node_modules/\ndata/.agent_locks/\n');
  });

  test('an existing ignore line written another way counts', async () => {
    const root = testDir({ '.gitignore': 'dist\n/data/.agent_locks\n' });
    expect((await runCli(['init'], { cwd: root })).code).toBe(0);
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('dist\n/data/.agent_locks\n');
  });

  test('--dir inside the project ignores that folder; outside it, .gitignore is left alone', async () => {
    const root = testDir({});
    expect((await runCli(['init', '--dir', '.coord'], { cwd: root })).code).toBe(0);
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('.coord/\n');
    const other = testDir({});
    const outside = await runCli(['init'], { cwd: other, env: { AGENTVISOR_DIR: root } });
    expect(outside.code).toBe(0);
    expect(existsSync(join(other, '.gitignore'))).toBe(false);
  });
});
