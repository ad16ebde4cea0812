// The real Gemini CLI (pinned, from .cache/gemini) launched by `agentvisor run` from a plain
// `gemini ...` command, offline against a mock Gemini API on 127.0.0.1 (GOOGLE_GEMINI_BASE_URL): it
// calls the agentvisor MCP tools, hears a message mid-task through the AfterTool message hook, is
// blocked from a write_file of a file another agent holds and allowed on a free one. Wired by a
// private GEMINI_CLI_HOME carrying the user's own settings, gone when the run ends.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { openStore } from '../../src/core/open-store.js';
import { BIN, cleanEnv, runCli } from '../helpers/cli.js';
import { testDir } from '../helpers/tempdir.js';
import { declarations, functionResponses, startMockGemini, type GeminiTurn } from './mock-gemini.js';

const GEMINI = fileURLToPath(new URL('../../.cache/gemini/node_modules/.bin/gemini', import.meta.url));

beforeAll(() => {
  if (!existsSync(GEMINI)) throw new Error(`Gemini CLI is not installed at ${GEMINI}: run scripts/install-gemini.sh`);
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: npm run build`);
});

describe('Gemini CLI under agentvisor run', () => {
  it('calls the MCP tools, hears a message mid-task, is blocked from a held file and allowed on a free one', async () => {
    const root = testDir({ 'src/web/.keep': '', 'src/api/.keep': '' }, 'agentvisor-e2e-gemini-');
    const store = await openStore({ dir: join(root, 'data/.agent_locks') });
    try {
      await store.acquire({ agentId: 'api', paths: [{ path: 'src/api/**', mode: 'exclusive' }], owner: { pid: null, leaseMs: null } });
    } finally {
      await store.close();
    }
    // The user's own Gemini CLI settings: an API key login (here, against the mock).
    const home = testDir({}, 'agentvisor-e2e-home-');
    mkdirSync(join(home, '.gemini'));
    writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }));
    const tmp = testDir({}, 'agentvisor-e2e-tmp-');
    let lockTool: string | null = null;
    const mock = await startMockGemini((request, n): GeminiTurn => {
      if (n === 0) {
        lockTool = declarations(request).find((d) => (d.description ?? '').startsWith('Take locks on files or globs'))?.name ?? null;
        const sent = spawnSync(process.execPath, [BIN, 'send', 'web', 'api here: the users schema changed', '--from', 'api'], { cwd: root, env: cleanEnv(), encoding: 'utf8' });
        if (sent.status !== 0) throw new Error(`send failed: ${sent.stderr}`);
        return { kind: 'call', name: lockTool ?? 'mcp_agentvisor_lock', args: { paths: ['src/web/extra.ts'] } };
      }
      if (n === 1) return { kind: 'call', name: 'write_file', args: { file_path: join(root, 'src/api/users.ts'), content: 'export const users = [];\n' } };
      if (n === 2) return { kind: 'call', name: 'write_file', args: { file_path: join(root, 'src/web/page.ts'), content: 'export const page = 1;\n' } };
      return { kind: 'text', text: 'Done.' };
    });
    onTestFinished(() => mock.close());
    writeFileSync(join(root, 'agents.config.json'), JSON.stringify({
      agents: [{ id: 'web', command: `${GEMINI} --approval-mode yolo -m mock-model -p 'Add the users page'`, owns: ['src/web/**'] }],
    }));

    const run = await runCli(['run', '--log-format', 'json'], {
      cwd: root,
      timeoutMs: 110_000,
      env: {
        HOME: home,
        TMPDIR: tmp,
        GEMINI_API_KEY: 'dummy',
        GOOGLE_GEMINI_BASE_URL: mock.url,
        GEMINI_CLI_TRUST_WORKSPACE: 'true',
        GEMINI_CLI_NO_RELAUNCH: 'true',
      },
    });
    expect(run.code, `${run.stdout}\n${run.stderr}\n${mock.seen.join(', ')}`).toBe(0);
    expect(mock.conversation.length, mock.seen.join(', ')).toBeGreaterThanOrEqual(4);

    // The MCP tools were declared; the lock was taken as agent web.
    expect(lockTool, JSON.stringify(declarations(mock.conversation[0]!).map((d) => d.name))).not.toBeNull();
    const locked = functionResponses(mock.conversation[1]!);
    expect(locked).toMatch(/agent_id\\*":\s*\\*"web/);
    expect(locked).toContain('src/web/extra.ts');
    // The message, handed to the model after that tool call.
    expect(JSON.stringify(mock.conversation[1]!.contents)).toContain('api here: the users schema changed');
    // write_file of another agent's file: blocked by the guard hook, nothing written.
    expect(functionResponses(mock.conversation[2]!)).toContain('agent \\"api\\" holds it');
    expect(existsSync(join(root, 'src/api/users.ts'))).toBe(false);
    // A free file: written.
    expect(readFileSync(join(root, 'src/web/page.ts'), 'utf8')).toBe('export const page = 1;\n');
    // The private settings are gone.
    expect(readdirSync(tmp).filter((name) => name.startsWith('agentvisor-gemini-'))).toEqual([]);
  });
});
