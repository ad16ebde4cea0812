// The guard proven with the real Claude Code CLI (pinned, from .cache/claude-code): headless
// `claude -p` against a mock Messages API on 127.0.0.1 tries to Write a file that another agent
// holds; the hook blocks it, the file is not written and the next request carries the guard's
// reason; a free path is written. With the hook from --settings (as `run` injects it), from the
// .claude/settings.json that `init --claude` writes, and through `agentvisor run` itself. And under
// `run`, the MCP tools (the mock model calls mcp__agentvisor__lock and __request_handoff and sees
// the grant) and a message delivered mid-task by the message hook.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { openStore } from '../../src/core/open-store.js';
import { injectClaudeGuard } from '../../src/guard/claude-inject.js';
import { shellJoin } from '../../src/guard/shell-quote.js';
import { BIN, cleanEnv, runCli } from '../helpers/cli.js';
import { testDir } from '../helpers/tempdir.js';
import { waitFor } from '../helpers/wait-for.js';
import { lastNonSystem, startMockAnthropic, toolResultTexts, type MockAnthropic, type ScriptedTurn } from './mock-anthropic.js';

const CLAUDE = fileURLToPath(new URL('../../.cache/claude-code/node_modules/.bin/claude', import.meta.url));
const GUARD = shellJoin([process.execPath, BIN, 'guard']);

beforeAll(() => {
  if (!existsSync(CLAUDE)) throw new Error(`Claude Code is not installed at ${CLAUDE}: run scripts/install-claude-code.sh`);
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: npm run build`);
});

/** A project where agent "api" holds src/api/** (taken through the real store, as `run` would). */
async function projectWithHeldApi(): Promise<string> {
  const root = testDir({ 'agents.config.json': '{ "agents": [] }\n', 'src/web/.keep': '' }, 'agentvisor-e2e-');
  const store = await openStore({ dir: join(root, 'data/.agent_locks') });
  try {
    const taken = await store.acquire({ agentId: 'api', paths: [{ path: 'src/api/**', mode: 'exclusive' }], owner: { pid: null, leaseMs: null } });
    expect(taken.granted).toBe(true);
  } finally {
    await store.close();
  }
  return root;
}

/** Write each path in turn, then end the turn; every request after the first carries a tool_result. */
async function mockWriting(paths: string[], root: string): Promise<MockAnthropic> {
  const turns: ScriptedTurn[] = paths.map((p) => ({ kind: 'tool_use', name: 'Write', input: { file_path: join(root, p), content: `written to ${p}\n` } }));
  turns.push({ kind: 'text', text: 'Done.' });
  const mock = await startMockAnthropic((_request, n) => turns[Math.min(n, turns.length - 1)]!);
  onTestFinished(() => mock.close());
  return mock;
}

interface ClaudeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runClaude(argv: string[], root: string, mock: MockAnthropic, env: Record<string, string> = {}): Promise<ClaudeRun> {
  const home = join(root, '..', `${root.split('/').pop()}-home`);
  mkdirSync(home, { recursive: true });
  onTestFinished(() => void import('node:fs').then((fs) => fs.rmSync(home, { recursive: true, force: true })));
  const [program, ...args] = argv;
  const child = spawn(program === 'claude' ? CLAUDE : program!, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv({
      HOME: home,
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: 'dummy',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      ...env,
    }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const PROMPT = ['-p', 'Add the users module', '--permission-mode', 'acceptEdits', '--output-format', 'json'];

function resultTextAfter(mock: MockAnthropic, turn: number): string {
  const request = mock.conversation[turn];
  expect(request, `request ${turn} of the conversation (seen: ${mock.seen.join(', ')})`).toBeDefined();
  return toolResultTexts(lastNonSystem(request!)).join('\n');
}

describe('Claude Code with the agentvisor guard hook', () => {
  it('from --settings, as run injects it: blocks a held path and writes a free one', async () => {
    const root = await projectWithHeldApi();
    const mock = await mockWriting(['src/api/users.ts', 'src/web/page.ts'], root);
    const argv = injectClaudeGuard(['claude', ...PROMPT], { guardCommand: GUARD }) as string[];
    expect(argv[1]).toBe('--settings');

    const run = await runClaude(argv, root, mock, { AGENT_ID: 'web', AGENTVISOR_ROOT: root });
    expect(run.code, run.stderr).toBe(0);

    expect(existsSync(join(root, 'src/api/users.ts'))).toBe(false);
    const reason = resultTextAfter(mock, 1);
    expect(reason).toContain('blocked the edit of src/api/users.ts');
    expect(reason).toContain('agent "api" holds it (exclusive lock on src/api/**');
    expect(reason).toContain('agentvisor send api --type handoff');

    expect(readFileSync(join(root, 'src/web/page.ts'), 'utf8')).toBe('written to src/web/page.ts\n');
    expect(resultTextAfter(mock, 2)).not.toContain('blocked');
    expect(JSON.parse(run.stdout)).toMatchObject({ is_error: false, permission_denials: [expect.objectContaining({ tool_name: 'Write' })] });
  });

  it('from .claude/settings.json written by init --claude, in a session started by hand', async () => {
    const root = await projectWithHeldApi();
    const init = await runCli(['init', '--claude'], { cwd: root });
    expect(init.code, init.stderr).toBe(0);
    const mock = await mockWriting(['src/api/users.ts', 'src/web/page.ts'], root);

    const run = await runClaude(['claude', ...PROMPT], root, mock);
    expect(run.code, run.stderr).toBe(0);

    expect(existsSync(join(root, 'src/api/users.ts'))).toBe(false);
    const reason = resultTextAfter(mock, 1);
    expect(reason).toContain('agent "api" holds it');
    // No AGENT_ID: the guard named this session after the client process it runs under (claude-<pid>-<start>),
    // the id its MCP server derives too.
    expect(reason).toMatch(/agentvisor send api --type handoff --from claude-\d+-\d+ /);
    expect(readFileSync(join(root, 'src/web/page.ts'), 'utf8')).toBe('written to src/web/page.ts\n');
  });

  it('through agentvisor run: the agent it launches is blocked from another agent\'s files', async () => {
    const root = await projectWithHeldApi();
    const mock = await mockWriting(['src/api/users.ts', 'src/web/page.ts'], root);
    const config = { agents: [{ id: 'web', command: [CLAUDE, ...PROMPT], owns: ['src/web/**'] }] };
    writeFileSync(join(root, 'agents.config.json'), JSON.stringify(config));
    const home = testDir({}, 'agentvisor-e2e-home-');

    const run = await runCli(['run', '--log-format', 'json'], {
      cwd: root,
      timeoutMs: 90_000,
      env: { HOME: home, ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: 'dummy', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
    });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(existsSync(join(root, 'src/api/users.ts'))).toBe(false);
    const reason = resultTextAfter(mock, 1);
    expect(reason).toContain('agent "api" holds it');
    // run sets AGENT_ID, so the guard knew the agent by its configured id.
    expect(reason).toContain("'web needs src/api/users.ts");
    expect(readFileSync(join(root, 'src/web/page.ts'), 'utf8')).toBe('written to src/web/page.ts\n');
  });
});

/** The JSON records of an MCP tool result, after its sentence for the model. */
function records(text: string): unknown {
  const start = text.indexOf('[\n');
  expect(start, text).toBeGreaterThanOrEqual(0);
  return JSON.parse(text.slice(start));
}

describe('Claude Code under agentvisor run, with the MCP tools and the message hook', () => {
  it('locks through MCP, asks for a handoff and is granted when the holder lets go, hears a message mid-task, then writes', async () => {
    const root = await projectWithHeldApi();
    const turns: ScriptedTurn[] = [
      { kind: 'tool_use', name: 'mcp__agentvisor__lock', input: { paths: ['src/web/extra.ts'] } },
      { kind: 'tool_use', name: 'mcp__agentvisor__request_handoff', input: { paths: ['src/api/users.ts'], message: 'adding the users endpoint', wait_ms: 45_000 } },
      { kind: 'tool_use', name: 'Write', input: { file_path: join(root, 'src/api/users.ts'), content: 'export const users = [];\n' } },
      { kind: 'text', text: 'Done.' },
    ];
    const mock = await startMockAnthropic((_request, n) => turns[Math.min(n, turns.length - 1)]!);
    onTestFinished(() => mock.close());
    const config = { agents: [{ id: 'web', command: [CLAUDE, ...PROMPT], owns: ['src/web/**'] }] };
    writeFileSync(join(root, 'agents.config.json'), JSON.stringify(config));
    const home = testDir({}, 'agentvisor-e2e-home-');

    const running = runCli(['run', '--log-format', 'json'], {
      cwd: root,
      timeoutMs: 110_000,
      env: { HOME: home, ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: 'dummy', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
    });
    // The holder is told (its inbox), a message goes to web mid-task, and the holder lets go.
    const handoff = await waitFor(async () => {
      const inbox = await runCli(['inbox', '--agent', 'api', '--peek', '--json'], { cwd: root });
      return (JSON.parse(inbox.stdout || '[]') as { type: string; message: string }[]).find((m) => m.type === 'handoff');
    }, { timeoutMs: 90_000, what: 'the handoff message in api\'s inbox' });
    expect(handoff.message).toContain('web asks you to hand over src/api/**: adding the users endpoint');
    expect((await runCli(['send', 'web', 'api here: take src/api, I am done with it', '--from', 'api'], { cwd: root })).code).toBe(0);
    expect((await runCli(['unlock', 'src/api/**', '--agent', 'api'], { cwd: root })).code).toBe(0);

    const run = await running;
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    // Turn 0's result: the lock record taken through MCP, as agent web.
    expect(records(resultTextAfter(mock, 1))).toMatchObject([{ agent_id: 'web', file_path: 'src/web/extra.ts', mode: 'exclusive' }]);
    // Turn 1's result: granted once api released, as web.
    expect(records(resultTextAfter(mock, 2))).toMatchObject([{ agent_id: 'web', file_path: 'src/api/users.ts' }]);
    // The message reached the model with that turn (the message hook's additionalContext).
    expect(JSON.stringify(mock.conversation[2]!.messages)).toContain('api here: take src/api, I am done with it');
    // Holding it now, the write went through.
    expect(readFileSync(join(root, 'src/api/users.ts'), 'utf8')).toBe('export const users = [];\n');
    expect(resultTextAfter(mock, 3)).not.toContain('blocked');
  });
});
