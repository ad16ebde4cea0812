// loadConfig: the normalised config for good files; for bad ones, one problem per mistake naming
// the file, the JSON path and what is wrong.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfig, loadConfigOrThrow } from '../../src/config/load.js';
import { isAgentvisorError } from '../../src/core/errors.js';
import { testDir } from '../helpers/tempdir.js';
import { CONTRACT_EXAMPLE, config, load, onlyProblem } from './fixture.js';

const agent = (extra: Record<string, unknown> = {}) => ({ id: 'a', command: 'true', ...extra });

describe('a good config', () => {
  test("the contract's example loads, normalised", () => {
    const { config: loaded, problems, root } = load(CONTRACT_EXAMPLE);
    expect(problems).toEqual([]);
    expect(loaded).toMatchObject({
      file: join(root, 'agents.config.json'),
      root,
      heartbeatMs: 5000,
      onConflict: 'wait',
      lockTimeoutMs: 600000,
      shutdownGraceMs: 10000,
      store: null,
      scope: null,
    });
    expect(loaded!.agents[0]).toEqual({
      id: 'api',
      command: "claude -p 'Add pagination to the API' --permission-mode acceptEdits",
      owns: ['src/api/**'],
      reads: ['src/types/**'],
      env: { FOO: '1' },
      cwd: root,
      restart: 'on-failure',
      maxRestarts: 2,
      dependsOn: [],
      timeoutMs: 3600000,
      prompt: null,
      messages: { to: 'inbox' },
      allowFailure: false,
      guard: true,
      mcp: true,
    });
    expect(loaded!.agents[1]).toMatchObject({
      id: 'reviewer',
      command: ['claude', '-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose'],
      prompt: 'Review each change you are told about.',
      messages: { to: 'stdin', format: 'claude' },
      reads: ['src/**'],
      owns: [],
    });
  });

  test('defaults fill what is left out', () => {
    const { config: loaded, root } = load(config([agent()]));
    expect(loaded).toMatchObject({ heartbeatMs: 5000, onConflict: 'wait', lockTimeoutMs: 600000, shutdownGraceMs: 10000, store: null });
    expect(loaded!.agents[0]).toEqual({
      id: 'a', command: 'true', owns: [], reads: [], env: {}, cwd: root, restart: 'never', maxRestarts: 0,
      dependsOn: [], timeoutMs: null, prompt: null, messages: { to: 'inbox' }, allowFailure: false, guard: true, mcp: true,
    });
  });

  test('maxRestarts defaults to 3 when the agent restarts', () => {
    const { config: loaded } = load(config([agent({ id: 'a', restart: 'on-failure' }), agent({ id: 'b', restart: 'always' })]));
    expect(loaded!.agents.map((a) => a.maxRestarts)).toEqual([3, 3]);
  });

  test('durations may be written as strings; lockTimeoutMs null waits forever; timeoutMs null is no limit', () => {
    const { config: loaded } = load(config([agent({ timeoutMs: '1h' }), agent({ id: 'b', timeoutMs: null })], { heartbeatMs: '500ms', lockTimeoutMs: null, shutdownGraceMs: '2s' }));
    expect(loaded).toMatchObject({ heartbeatMs: 500, lockTimeoutMs: null, shutdownGraceMs: 2000 });
    expect(loaded!.agents.map((a) => a.timeoutMs)).toEqual([3_600_000, null]);
  });

  test('"messages": "stdin" means stdin as text; a prompt is kept for it', () => {
    const { config: loaded } = load(config([agent({ messages: 'stdin', prompt: 'go' }), agent({ id: 'b', messages: { to: 'stdin' } })]));
    expect(loaded!.agents.map((a) => [a.messages, a.prompt])).toEqual([[{ to: 'stdin', format: 'text' }, 'go'], [{ to: 'stdin', format: 'text' }, null]]);
  });

  test('lock paths are normalised against the root and de-duplicated; cwd is absolute', () => {
    const { config: loaded, root } = load(config([agent({ owns: ['./src//a.ts', 'src/a.ts', 'docs/'], cwd: 'pkg' })]), { 'pkg/x': '' });
    expect(loaded!.agents[0]!.owns).toEqual(['src/a.ts', 'docs/**']);
    expect(loaded!.agents[0]!.cwd).toBe(join(root, 'pkg'));
  });

  test('an absolute lock path inside the root is made relative', () => {
    const root = testDir({});
    writeFileSync(join(root, 'agents.config.json'), JSON.stringify(config([agent({ owns: [join(root, 'src', 'a.ts')] })])));
    expect(loadConfig('agents.config.json', { env: {}, cwd: root }).config?.agents[0]?.owns).toEqual(['src/a.ts']);
  });

  test('AGENTVISOR_ROOT sets the root that lock paths are relative to', () => {
    const outer = testDir({ 'project/src/x': '', 'agents.config.json': JSON.stringify(config([agent({ owns: ['src/**'] })])) });
    const root = join(outer, 'project');
    const result = loadConfig(join(outer, 'agents.config.json'), { env: { AGENTVISOR_ROOT: root }, cwd: outer });
    // The config's folder lies outside this root: an agent without a cwd runs at the root.
    expect(result.problems).toEqual([]);
    expect(result.config?.agents[0]?.cwd).toBe(root);
    const explicit = { agents: [{ id: 'a', command: 'true', cwd: '.' }] };
    writeFileSync(join(outer, 'agents.config.json'), JSON.stringify(explicit));
    const named = loadConfig(join(outer, 'agents.config.json'), { env: { AGENTVISOR_ROOT: root }, cwd: outer });
    expect(named.problems.map((p) => `${p.path}: ${p.message}`)).toEqual(['agents[0].cwd: "." leaves the project root']);
    writeFileSync(join(outer, 'agents.config.json'), JSON.stringify(config([agent({ owns: ['src/**'] })])));
    const inside = loadConfig(join(outer, 'agents.config.json'), { env: { AGENTVISOR_ROOT: outer }, cwd: root });
    expect(inside.config?.root).toBe(outer);
  });
});

describe('the file itself', () => {
  test('a missing file', () => {
    const root = testDir({});
    const { problems } = loadConfig('nope.json', { env: {}, cwd: root });
    expect(problems).toEqual([{ file: join(root, 'nope.json'), path: '', message: 'not found' }]);
  });

  test('invalid JSON names the file, line and column', () => {
    expect(onlyProblem('{\n  "agents": [\n    { "id": "a", },\n  ]\n}\n')).toBe('agents.config.json:3:18: invalid JSON: trailing comma before "}"');
    expect(onlyProblem('{\n  "agents": [')).toBe('agents.config.json:2:14: invalid JSON: unexpected end of input, expected a value');
    expect(onlyProblem("{ 'agents': [] }")).toMatch(/^agents\.config\.json:1:3: invalid JSON: expected a double-quoted key, got a single quote/);
  });

  test('a JSON value that is not an object', () => {
    expect(onlyProblem('[]')).toBe('agents.config.json: expected an object, got an array');
  });

  test('loadConfigOrThrow throws CONFIG_INVALID listing every problem', () => {
    const root = testDir({ 'agents.config.json': JSON.stringify({ agents: [], heartbeatMs: 0 }) });
    let caught: unknown;
    try {
      loadConfigOrThrow('agents.config.json', { env: {}, cwd: root });
    } catch (error) {
      caught = error;
    }
    expect(isAgentvisorError(caught, 'CONFIG_INVALID')).toBe(true);
    expect((caught as Error).message).toBe(
      'invalid config:\nagents.config.json: heartbeatMs: must be a positive whole number of milliseconds or a duration such as "500ms", "30s", "10m", "1h"\nagents.config.json: agents: must hold at least one agent',
    );
  });
});

describe('the schema', () => {
  test('agents is required and must not be empty', () => {
    expect(onlyProblem({})).toBe('agents.config.json: agents: required');
    expect(onlyProblem({ agents: [] })).toBe('agents.config.json: agents: must hold at least one agent');
  });

  test('an unknown key, with a did-you-mean when one is close', () => {
    expect(onlyProblem(config([agent({ own: ['x'] })]))).toBe('agents.config.json: agents[0].own: unknown key; did you mean "owns"?');
    expect(onlyProblem(config([agent()], { heartbeatMS: 5 }))).toBe('agents.config.json: heartbeatMS: unknown key; did you mean "heartbeatMs"?');
    expect(onlyProblem(config([agent({ messages: { to: 'stdin', fromat: 'jsonl' } })]))).toBe('agents.config.json: agents[0].messages.fromat: unknown key; did you mean "format"?');
    expect(onlyProblem(config([agent({ colour: 'red' })]))).toMatch(/^agents\.config\.json: agents\[0\]\.colour: unknown key \(known keys: id, command, owns, reads, /);
  });

  test('bad agent ids', () => {
    for (const id of ['../x', 'a/b', '', 'has space', '-lead', 'x'.repeat(65)]) {
      expect(onlyProblem(config([agent({ id })]))).toBe(`agents.config.json: agents[0].id: ${JSON.stringify(id)} is not a valid agent id (letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters)`);
    }
    expect(onlyProblem(config([{ command: 'x' }]))).toBe('agents.config.json: agents[0].id: required');
  });

  test('command: a non-empty string or a non-empty argv array of strings', () => {
    const hint = 'must be a non-empty shell string or a non-empty array of strings (argv)';
    expect(onlyProblem(config([agent({ command: '  ' })]))).toBe('agents.config.json: agents[0].command: must not be empty');
    expect(onlyProblem(config([agent({ command: [] })]))).toBe('agents.config.json: agents[0].command: must not be empty');
    expect(onlyProblem(config([agent({ command: ['', 'x'] })]))).toBe('agents.config.json: agents[0].command[0]: the program (the first item) must not be empty');
    expect(onlyProblem(config([agent({ command: ['node', 3] })]))).toBe('agents.config.json: agents[0].command[1]: expected a string, got 3');
    expect(onlyProblem(config([agent({ command: 5 })]))).toBe(`agents.config.json: agents[0].command: ${hint}`);
    expect(onlyProblem(config([{ id: 'a' }]))).toBe('agents.config.json: agents[0].command: required');
  });

  test('enums say what they accept and suggest the closest', () => {
    expect(onlyProblem(config([agent()], { onConflict: 'wiat' }))).toBe('agents.config.json: onConflict: must be one of "wait", "fail", got "wiat"; did you mean "wait"?');
    expect(onlyProblem(config([agent({ restart: 'on-fail' })]))).toBe('agents.config.json: agents[0].restart: must be one of "never", "on-failure", "always", got "on-fail"; did you mean "on-failure"?');
    expect(onlyProblem(config([agent({ messages: { to: 'stdin', format: 'json' } })]))).toBe('agents.config.json: agents[0].messages.format: must be one of "text", "jsonl", "claude", got "json"; did you mean "jsonl"?');
  });

  test('types', () => {
    expect(onlyProblem(config([agent({ owns: 'src/**' })]))).toBe('agents.config.json: agents[0].owns: expected an array, got "src/**"');
    expect(onlyProblem(config([agent({ allowFailure: 'yes' })]))).toBe('agents.config.json: agents[0].allowFailure: expected true or false, got "yes"');
    expect(onlyProblem(config([agent({ env: { N: 1 } })]))).toBe('agents.config.json: agents[0].env.N: expected a string, got 1');
    expect(onlyProblem(config([agent({ maxRestarts: -1, restart: 'always' })]))).toBe('agents.config.json: agents[0].maxRestarts: must be at least 0');
    expect(onlyProblem(config([agent({ reads: [''] })]))).toBe('agents.config.json: agents[0].reads[0]: must not be empty');
  });

  test('env names', () => {
    expect(onlyProblem(config([agent({ env: { 'A B': '1' } })]))).toBe(
      'agents.config.json: agents[0].env["A B"]: "A B" is not a valid environment variable name (letters, digits and "_", not starting with a digit)',
    );
  });

  test('durations', () => {
    expect(onlyProblem(config([agent({ timeoutMs: '10 minutes' })]))).toBe('agents.config.json: agents[0].timeoutMs: must be a duration such as "500ms", "30s", "10m", "1h", or a number of milliseconds');
    expect(onlyProblem(config([agent({ timeoutMs: 0 })]))).toBe('agents.config.json: agents[0].timeoutMs: must be a positive whole number of milliseconds or a duration such as "500ms", "30s", "10m", "1h"');
    expect(onlyProblem(config([agent()], { heartbeatMs: '0s' }))).toMatch(/^agents\.config\.json: heartbeatMs: invalid duration "0s"\W+it must be more than 0$/);
    expect(onlyProblem(config([agent()], { shutdownGraceMs: -5 }))).toBe('agents.config.json: shutdownGraceMs: must be a non-negative whole number of milliseconds or a duration such as "500ms", "30s", "10m", "1h"');
  });

  test('store must be a PostgreSQL URL', () => {
    expect(onlyProblem(config([agent()], { store: 'mysql://x' }))).toBe('agents.config.json: store: must be a postgres:// or postgresql:// URL');
    expect(load(config([agent()], { store: 'postgres://u@h/db' })).config?.store).toBe('postgres://u@h/db');
  });
});

describe("one agent's fields together", () => {
  test('a lock path that leaves the root', () => {
    expect(onlyProblem(config([agent({ id: 'b' }), agent({ owns: ['../x'] })]))).toBe('agents.config.json: agents[1].owns[0]: "../x" leaves the project root');
    expect(onlyProblem(config([agent({ reads: ['/etc/passwd'] })]))).toBe('agents.config.json: agents[0].reads[0]: "/etc/passwd" leaves the project root');
  });

  test('a malformed glob', () => {
    expect(onlyProblem(config([agent({ owns: ['src/+(a|b)'] })]))).toMatch(/^agents\.config\.json: agents\[0\]\.owns\[0\]: .+/);
  });

  test('a prompt needs messages on stdin', () => {
    expect(onlyProblem(config([agent({ prompt: 'hi' })]))).toBe(
      'agents.config.json: agents[0].prompt: needs "messages": "stdin" (the prompt is delivered as the first message on stdin); for an inbox agent, put it in the command',
    );
  });

  test('a format needs "to": "stdin"', () => {
    expect(onlyProblem(config([agent({ messages: { to: 'inbox', format: 'jsonl' } })]))).toBe(
      'agents.config.json: agents[0].messages.format: needs "to": "stdin" (inbox messages are read with agentvisor inbox)',
    );
  });

  test('maxRestarts without a restart policy', () => {
    expect(onlyProblem(config([agent({ maxRestarts: 2 })]))).toBe('agents.config.json: agents[0].maxRestarts: has no effect with "restart": "never"; set "restart": "on-failure" or "always"');
  });

  test("env may not override agentvisor's own variables", () => {
    expect(onlyProblem(config([agent({ env: { AGENTVISOR_DIR: '/tmp/x' } })]))).toBe('agents.config.json: agents[0].env.AGENTVISOR_DIR: is set by agentvisor for every agent and cannot be overridden');
  });

  test('cwd must be an existing folder inside the root', () => {
    expect(onlyProblem(config([agent({ cwd: 'missing' })]))).toBe('agents.config.json: agents[0].cwd: "missing" does not exist');
    expect(onlyProblem(config([agent({ cwd: 'file.txt' })]), { 'file.txt': 'x' })).toBe('agents.config.json: agents[0].cwd: "file.txt" is not a directory');
    expect(onlyProblem(config([agent({ cwd: '..' })]))).toBe('agents.config.json: agents[0].cwd: ".." leaves the project root');
  });

  test('every problem is reported at once, grouped by agent', () => {
    const { lines } = load(config([agent({ owns: ['../x'], prompt: 'p' }), agent({ id: 'a', cwd: 'nope' })]));
    expect(lines).toEqual([
      'agents.config.json: agents[0].owns[0]: "../x" leaves the project root',
      expect.stringMatching(/^agents\.config\.json: agents\[0\]\.prompt: needs "messages": "stdin"/),
      'agents.config.json: agents[1].cwd: "nope" does not exist',
      'agents.config.json: agents[1].id: duplicate id "a" (also agents[0])',
    ]);
  });

  test('a folder made after loading is not needed before', () => {
    const root = testDir({ 'agents.config.json': JSON.stringify(config([agent({ cwd: 'later' })])) });
    expect(loadConfig('agents.config.json', { env: {}, cwd: root }).config).toBeUndefined();
    mkdirSync(join(root, 'later'));
    expect(loadConfig('agents.config.json', { env: {}, cwd: root }).config?.agents[0]?.cwd).toBe(join(root, 'later'));
  });
});
