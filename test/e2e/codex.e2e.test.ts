// The real Codex CLI (pinned, from .cache/codex) launched by `agentvisor run` from a plain
// `codex exec ...` command, offline against a mock Responses API on 127.0.0.1: it calls the
// agentvisor MCP tools, hears a message mid-task through the message hook, is blocked from an
// apply_patch on a file another agent holds and allowed on a free one. No hand-made config: the
// user's own CODEX_HOME (provider, model) is carried into the run's private one, which trusts
// exactly agentvisor's hooks and is gone when the run ends.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { openStore } from '../../src/core/open-store.js';
import { BIN, cleanEnv, runCli } from '../helpers/cli.js';
import { testDir } from '../helpers/tempdir.js';
import { callOutput, startMockResponses, type ResponsesRequest, type ResponsesTurn } from './mock-responses.js';

const CODEX = fileURLToPath(new URL('../../.cache/codex/node_modules/.bin/codex', import.meta.url));

beforeAll(() => {
  if (!existsSync(CODEX)) throw new Error(`Codex is not installed at ${CODEX}: run scripts/install-codex.sh`);
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: npm run build`);
});

/** A model entry from Codex's own bundled catalog, renamed, with tools offered directly (no tool search). */
function mockModel(home: string): Record<string, unknown> {
  const listed = spawnSync(CODEX, ['debug', 'models', '--bundled'], { env: cleanEnv({ CODEX_HOME: home }), encoding: 'utf8' });
  const models = (JSON.parse(listed.stdout) as { models: Record<string, unknown>[] }).models;
  const base = models.find((m) => !m.tool_mode && !m.use_responses_lite && m.apply_patch_tool_type === 'freeform');
  if (!base) throw new Error('no model with a freeform apply_patch in codex debug models --bundled');
  return { ...base, slug: 'mock-model', display_name: 'mock-model', supports_search_tool: false };
}

/** The user's CODEX_HOME, as someone who points Codex at their own provider would have it. */
function userCodexHome(url: string, model: Record<string, unknown>, home: string): void {
  writeFileSync(join(home, 'catalog.json'), JSON.stringify({ models: [model] }));
  writeFileSync(join(home, 'auth.json'), '{"OPENAI_API_KEY":"dummy-user-login"}');
  writeFileSync(join(home, 'config.toml'), [
    'model = "mock-model"',
    'model_provider = "mock"',
    `model_catalog_json = ${JSON.stringify(join(home, 'catalog.json'))}`,
    '[model_providers.mock]',
    'name = "mock"',
    `base_url = ${JSON.stringify(url)}`,
    'wire_api = "responses"',
    'env_key = "OPENAI_API_KEY"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
  ].join('\n'));
}

/** The namespace under which Codex offers the agentvisor MCP tools (e.g. `mcp__agentvisor`). */
function agentvisorNamespace(request: ResponsesRequest): string | null {
  const tool = (request.tools ?? []).find((t) => t.type === 'namespace' && (t.name ?? '').includes('agentvisor'));
  return tool?.name ?? null;
}

const patch = (path: string): string => `*** Begin Patch\n*** Add File: ${path}\n+export const x = 1;\n*** End Patch\n`;

describe('Codex under agentvisor run', () => {
  it('calls the MCP tools, hears a message mid-task, is blocked from a held file and allowed on a free one', async () => {
    const root = testDir({ 'src/web/.keep': '', 'src/api/.keep': '' }, 'agentvisor-e2e-codex-');
    const store = await openStore({ dir: join(root, 'data/.agent_locks') });
    try {
      await store.acquire({ agentId: 'api', paths: [{ path: 'src/api/**', mode: 'exclusive' }], owner: { pid: null, leaseMs: null } });
    } finally {
      await store.close();
    }
    const codexHome = testDir({}, 'agentvisor-e2e-codex-home-');
    const tmp = testDir({}, 'agentvisor-e2e-tmp-');
    const home = testDir({}, 'agentvisor-e2e-home-');
    const model = mockModel(codexHome);
    let namespace: string | null = null;
    const mock = await startMockResponses((request, n): ResponsesTurn => {
      if (n === 0) {
        namespace = agentvisorNamespace(request);
        // Mid-task: after the prompt, before the first tool call ends (its PostToolUse hook delivers it).
        const sent = spawnSync(process.execPath, [BIN, 'send', 'web', 'api here: the users schema changed', '--from', 'api'], { cwd: root, env: cleanEnv(), encoding: 'utf8' });
        if (sent.status !== 0) throw new Error(`send failed: ${sent.stderr}`);
        // Called even when not offered, so that a missing tool fails below with what Codex answered.
        return { kind: 'function_call', namespace: namespace ?? 'mcp__agentvisor', name: 'lock', arguments: { paths: ['src/web/extra.ts'] } };
      }
      if (n === 1) return { kind: 'custom_tool_call', name: 'apply_patch', input: patch('src/api/users.ts') };
      if (n === 2) return { kind: 'custom_tool_call', name: 'apply_patch', input: patch('src/web/page.ts') };
      return { kind: 'message', text: 'Done.' };
    }, { models: [model] });
    onTestFinished(() => mock.close());
    userCodexHome(mock.url, model, codexHome);
    const userConfig = readFileSync(join(codexHome, 'config.toml'), 'utf8');
    writeFileSync(join(root, 'agents.config.json'), JSON.stringify({
      agents: [{ id: 'web', command: `${CODEX} exec --skip-git-repo-check -s workspace-write 'Add the users page'`, owns: ['src/web/**'] }],
    }));

    const run = await runCli(['run', '--log-format', 'json'], {
      cwd: root,
      timeoutMs: 110_000,
      env: { HOME: home, CODEX_HOME: codexHome, TMPDIR: tmp, OPENAI_API_KEY: 'dummy' },
    });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(mock.requests.length, mock.seen.join(', ')).toBeGreaterThanOrEqual(4);

    // The MCP tools were offered (as a namespace), and the lock was taken as agent web.
    expect(namespace, JSON.stringify((mock.requests[0]!.tools ?? []).map((t) => t.name))).toBe('mcp__agentvisor');
    const locked = callOutput(mock.requests[1]!, 'call_0')!;
    expect(locked).toMatch(/"agent_id":\s*"web"/);
    expect(locked).toMatch(/"file_path":\s*"src\/web\/extra.ts"/);
    // The message, handed to the model after that tool call.
    expect(JSON.stringify(mock.requests[1]!.input)).toContain('api here: the users schema changed');
    // apply_patch of another agent's file: blocked by the guard hook, nothing written.
    const blocked = callOutput(mock.requests[2]!, 'call_1')!;
    expect(blocked).toContain('Command blocked by PreToolUse hook');
    expect(blocked).toContain('agent "api" holds it');
    expect(existsSync(join(root, 'src/api/users.ts'))).toBe(false);
    // A free file: written.
    expect(readFileSync(join(root, 'src/web/page.ts'), 'utf8')).toBe('export const x = 1;\n');

    // The private CODEX_HOME is gone; the user's own is as it was.
    expect(readdirSync(tmp).filter((name) => name.startsWith('agentvisor-codex-'))).toEqual([]);
    expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).toBe(userConfig);
    expect(readFileSync(join(codexHome, 'auth.json'), 'utf8')).toBe('{"OPENAI_API_KEY":"dummy-user-login"}');
    expect(existsSync(join(codexHome, 'hooks.json'))).toBe(false);
  });
});
