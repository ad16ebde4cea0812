// `agentvisor dashboard` and `run --dashboard` as users start them: the URL line (alone, verbatim,
// in every log format), a busy port (exit 1, and for run nothing started), malformed ports, --host.

import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { cli, fixtureArgv, LOCK_DIR, locksOnDisk, project, start } from '../supervisor/support.js';
import { call } from './support.js';

const LINE = /^dashboard: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{32,})$/m;

/** A port some other program holds. */
async function busyPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

describe('agentvisor dashboard', () => {
  it('prints its URL on a line of its own and serves until SIGINT (exit 0)', async () => {
    const root = project({ agents: [] });
    const run = start(root, ['dashboard', '--port', '0']);
    const match = await waitFor(() => LINE.exec(run.stderr()), { what: 'the URL line' });
    const port = Number(match[1]);
    expect((await call(port, '/api/board')).json()).toMatchObject({ locks: [], agents: {} });
    // A missing coordination dir is shown empty and not created.
    expect(existsSync(join(root, LOCK_DIR))).toBe(false);
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(0);
    expect(run.stderr().split('\n').filter((l) => l.startsWith('dashboard:'))).toEqual([match[0]]);
  });

  it('exits 1 on a busy port and 2 on a malformed one', async () => {
    const root = project({ agents: [] });
    const port = await busyPort();
    const busy = await cli(root, ['dashboard', '--port', String(port)]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
    for (const bad of ['abc', '70000', '-1', '']) {
      const result = await cli(root, ['dashboard', '--port', bad]);
      expect(result.code, bad).toBe(2);
    }
  });

  it('--host listens elsewhere, warns, and then wants the token for GETs too', async () => {
    const root = project({ agents: [] });
    const run = start(root, ['dashboard', '--port', '0', '--host', '0.0.0.0']);
    const match = await waitFor(() => /^dashboard: http:\/\/0\.0\.0\.0:(\d+)\/\?token=(\S+)$/m.exec(run.stderr()), { what: 'the URL line' });
    expect(run.stderr()).toMatch(/listens on .*0\.0\.0\.0/);
    const port = Number(match[1]);
    expect((await call(port, '/api/board')).status).toBe(401);
    expect((await call(port, '/')).status).toBe(401);
    expect((await call(port, `/api/board?token=${match[2]}`)).status).toBe(200);
    const page = await call(port, `/?token=${match[2]}`);
    // The page's own files carry the token, so the browser can load them.
    expect(page.body).toContain(`app.js?token=${match[2]}`);
    expect((await call(port, `/app.js?token=${match[2]}`)).status).toBe(200);
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(0);
  });
});

describe('run --dashboard', () => {
  const config = (root: string) => ({ agents: [{ id: 'writer', command: fixtureArgv('write-file', join(root, 'written.txt')), owns: ['out/**'] }] });

  it('a busy port exits 1 before any agent starts or any lock is taken', async () => {
    const root = project({ agents: [] });
    const configured = project(config(root));
    const port = await busyPort();
    const result = await cli(configured, ['run', '--dashboard', String(port)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is in use');
    expect(existsSync(join(root, 'written.txt'))).toBe(false);
    expect(locksOnDisk(configured)).toEqual([]);
    expect(result.stdout).toBe('');
  });

  it('prints the URL line verbatim with JSON logs too; --dashboard takes only a value that starts with a digit', async () => {
    const root = project({ agents: [] });
    const configured = project(config(root));
    const result = await cli(configured, ['run', '--dashboard', '0', '--log-format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines.filter((l) => LINE.test(l))).toHaveLength(1);
    // Every other line is a JSON log line.
    for (const line of lines.filter((l) => !LINE.test(l))) expect(() => JSON.parse(line), line).not.toThrow();
    // `--dashboard writer`: writer is not a port, so it is an argument (run takes none): exit 2, nothing started.
    const misread = await cli(configured, ['run', '--dashboard', 'writer']);
    expect(misread.code).toBe(2);
    expect((await cli(configured, ['run', '--dashboard', '99999'])).code).toBe(2);
  });
});
