// `agentvisor run` launching a `claude`, `codex` or `gemini` command (a stand-in client that acts
// as the real one would on the wiring it finds): its edit of another agent's file is blocked and of
// a free one allowed, a message sent to it reaches the model through the message hook, and the MCP
// server it starts acts as the agent; Codex's private CODEX_HOME is gone once the run ends.

import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/core/open-store.js';
import { shellJoin } from '../../src/guard/shell-quote.js';
import { runCli } from '../helpers/cli.js';
import { testDir } from '../helpers/tempdir.js';

const FAKE = fileURLToPath(new URL('../fixtures/agents/fake-client.mjs', import.meta.url));

interface HookRun {
  code: number;
  stdout: string;
  stderr: string;
}

interface Report {
  held: HookRun | null;
  free: HookRun | null;
  messages: HookRun | null;
  mcp: { isError?: boolean; content: { text: string }[] } | null;
  codexHome: string | null;
  codexConfig: string | null;
}

/** `<dir>/bin/<client>`: a wrapper that starts the stand-in client under that name. */
function clientOnDisk(client: string): string {
  const dir = testDir({}, 'agentvisor-bin-');
  mkdirSync(join(dir, 'bin'));
  const file = join(dir, 'bin', client);
  writeFileSync(file, `#!/bin/sh\nexec ${shellJoin([process.execPath, FAKE, `--as=${client}`])} "$@"\n`);
  chmodSync(file, 0o755);
  return dir;
}

async function projectWithHeldApi(): Promise<string> {
  const root = testDir({ 'src/web/.keep': '', 'src/api/.keep': '' }, 'agentvisor-wiring-');
  const store = await openStore({ dir: join(root, 'data/.agent_locks') });
  try {
    await store.acquire({ agentId: 'api', paths: [{ path: 'src/api/**', mode: 'exclusive' }], owner: { pid: null, leaseMs: null } });
    await store.send({ from: 'api', to: 'web', type: 'note', message: 'the schema changed under src/types' });
  } finally {
    await store.close();
  }
  return root;
}

describe('run wires the clients it recognises', () => {
  for (const client of ['claude', 'codex', 'gemini'] as const) {
    it(`${client}: guard, message hook and MCP server`, async () => {
      const root = await projectWithHeldApi();
      const bin = clientOnDisk(client);
      const home = testDir({}, 'agentvisor-home-');
      const tmp = testDir({}, 'agentvisor-tmp-');
      const report = join(root, '..', `${root.split('/').pop()}-report.json`);
      const config = {
        agents: [{ id: 'web', command: `${join(bin, 'bin', client)} -p 'do the work'`, owns: ['src/web/**'], env: { FAKE_HELD: 'src/api/users.ts', FAKE_FREE: 'src/web/page.ts', FAKE_REPORT: report } }],
      };
      writeFileSync(join(root, 'agents.config.json'), JSON.stringify(config));
      try {
        const run = await runCli(['run', '--log-format', 'json'], { cwd: root, env: { HOME: home, TMPDIR: tmp }, timeoutMs: 60_000 });
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        const seen = JSON.parse(readFileSync(report, 'utf8')) as Report;

        expect(seen.held!.code).toBe(2);
        expect(seen.held!.stderr).toContain('agent "api" holds it');
        expect(seen.free!.code).toBe(0);
        const context = (JSON.parse(seen.messages!.stdout) as { hookSpecificOutput: { additionalContext: string } }).hookSpecificOutput.additionalContext;
        expect(context).toContain('the schema changed under src/types');
        expect(seen.mcp!.isError).toBeFalsy();
        expect(JSON.parse(seen.mcp!.content.at(-1)!.text)).toMatchObject([{ agent_id: 'web', file_path: 'src/web/page.ts' }]);
        if (client === 'codex') {
          expect(seen.codexHome!.startsWith(tmp)).toBe(true);
          expect(existsSync(seen.codexHome!)).toBe(false);
          expect(seen.codexConfig).toMatch(/env_vars = \["AGENT_ID", "AGENTVISOR_DIR", "AGENTVISOR_ROOT", "AGENTVISOR_SUPERVISOR", "AGENTVISOR_HEARTBEAT_MS"/);
        }
      } finally {
        rmSync(report, { force: true });
      }
    });
  }

  it('"guard": false and "mcp": false leave a codex agent unwired', async () => {
    const root = await projectWithHeldApi();
    const bin = clientOnDisk('codex');
    const report = join(root, '..', `${root.split('/').pop()}-report.json`);
    writeFileSync(join(root, 'agents.config.json'), JSON.stringify({
      agents: [{ id: 'web', command: [join(bin, 'bin', 'codex'), 'exec', 'x'], guard: false, mcp: false, messages: 'stdin', env: { FAKE_HELD: 'src/api/users.ts', FAKE_FREE: 'src/web/page.ts', FAKE_REPORT: report } }],
    }));
    try {
      const tmp = testDir({}, 'agentvisor-tmp-');
      const home = testDir({ '.codex/hooks.json': '{"hooks":{}}' }, 'agentvisor-home-');
      const run = await runCli(['run', '--log-format', 'json'], { cwd: root, env: { HOME: home, TMPDIR: tmp }, timeoutMs: 60_000 });
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
      // Nothing wired: the stand-in finds no private CODEX_HOME (it fails reading hooks.json there).
      expect(existsSync(report)).toBe(false);
    } finally {
      rmSync(report, { force: true });
    }
  });
});

describe('cleanup', () => {
  it('removes a private CODEX_HOME whose run was killed, not a live run\'s, and never what its links point to', async () => {
    const { spawnSync } = await import('node:child_process');
    const { symlinkSync } = await import('node:fs');
    const tmp = testDir({}, 'agentvisor-tmp-');
    const user = testDir({ 'auth.json': '{"token":"keep"}' }, 'agentvisor-user-codex-');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const dead = join(tmp, `agentvisor-codex-web-${gone.stdout}--abc123`);
    const live = join(tmp, `agentvisor-codex-api-${process.pid}--def456`);
    for (const dir of [dead, live]) {
      mkdirSync(dir);
      symlinkSync(join(user, 'auth.json'), join(dir, 'auth.json'));
    }
    const root = testDir({ 'agents.config.json': '{ "agents": [] }\n' }, 'agentvisor-wiring-');
    const result = await runCli(['cleanup', '--json'], { cwd: root, env: { TMPDIR: tmp } });
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { private_dirs_removed: string[] }).private_dirs_removed).toEqual([dead]);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(readFileSync(join(user, 'auth.json'), 'utf8')).toBe('{"token":"keep"}');
  });
});
