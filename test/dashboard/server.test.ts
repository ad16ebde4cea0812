// The dashboard's server, in this process, on a real file store in a temp dir: every refusal the
// contract names (401, 403, 404 for paths outside the page, 409, 413, 400), each followed by a
// request proving the server still answers; and the event stream under 50 agent processes changing
// state at once (merged into few board events) and with a client that goes away.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/core/open-store.js';
import type { Store } from '../../src/core/store.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { testDir } from '../helpers/tempdir.js';
import { waitFor } from '../helpers/wait-for.js';
import { call, openEvents, post } from './support.js';

const AGENT_STATES = fileURLToPath(new URL('../fixtures/dashboard/agent-states.mjs', import.meta.url));
const open: { dashboard: Dashboard; store: Store }[] = [];

async function serve(): Promise<{ dashboard: Dashboard; store: Store; dir: string; port: number }> {
  const dir = testDir();
  const store = await openStore({ dir });
  const dashboard = await startDashboard({ store, logsDir: null, port: 0 });
  open.push({ dashboard, store });
  return { dashboard, store, dir, port: dashboard.port };
}

afterEach(async () => {
  for (const { dashboard, store } of open.splice(0)) {
    await dashboard.close();
    await store.close();
  }
});

async function alive(port: number): Promise<void> {
  expect((await call(port, '/api/board')).status).toBe(200);
}

const owner = { pid: process.pid, leaseMs: null };

describe('dashboard server', () => {
  it('prints a URL with a new token of at least 32 characters of [A-Za-z0-9_-] at every start', async () => {
    const a = await serve();
    const b = await serve();
    expect(a.dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32,}$/);
    expect(a.dashboard.url).toBe(`http://127.0.0.1:${a.port}/?token=${a.dashboard.token}`);
    expect(a.dashboard.token).not.toBe(b.dashboard.token);
  });

  it('serves the page, the board (as status --json) and no CORS', async () => {
    const { store, port } = await serve();
    await store.acquire({ agentId: 'api', paths: [{ path: 'src/a.ts', mode: 'exclusive' }], owner });
    const page = await call(port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<title>agentvisor</title>');
    expect((await call(port, '/app.js')).headers['content-type']).toMatch(/javascript/);
    const board = await call(port, '/api/board', { headers: { Origin: `http://127.0.0.1:${port}` } });
    expect(board.json<{ locks: { file_path: string }[] }>().locks.map((l) => l.file_path)).toEqual(['src/a.ts']);
    expect(board.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a Host or Origin that is not its address (403), and still answers', async () => {
    const { port } = await serve();
    expect((await call(port, '/api/board', { headers: { Host: `evil.example:${port}` } })).status).toBe(403);
    expect((await call(port, '/api/board', { headers: { Host: `localhost:${port}` } })).status).toBe(403);
    expect((await call(port, '/', { headers: { Origin: 'http://evil.example' } })).status).toBe(403);
    await alive(port);
  });

  it('serves nothing outside the page dir: /../, encoded or not, is 404', async () => {
    const { port } = await serve();
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/page/../../server.ts', '/%2e%2e%2f%2e%2e%2fpackage.json', '/nope.js']) {
      const reply = await call(port, path);
      expect(reply.status, path).toBe(404);
      expect(reply.body).not.toContain('"name"');
    }
    await alive(port);
  });

  it('changes nothing without the token (401), with a wrong one, or with the token in the URL only', async () => {
    const { store, dashboard, port } = await serve();
    await store.acquire({ agentId: 'api', paths: [{ path: 'src/a.ts', mode: 'exclusive' }], owner });
    await store.updateAgent('web', { status: 'running', files: [] });
    const attempts = [
      () => post(port, '/api/messages', { to: 'web', message: 'hi' }),
      () => post(port, '/api/messages', { to: 'web', message: 'hi' }, 'x'.repeat(43)),
      () => post(port, '/api/messages', { to: 'web', message: 'hi' }, dashboard.token.slice(0, -1)),
      () => post(port, `/api/messages?token=${dashboard.token}`, { to: 'web', message: 'hi' }),
      () => post(port, '/api/locks/release', { agent_id: 'api', file_path: 'src/a.ts' }),
      () => post(port, '/api/agents/web/stop', {}),
      () => post(port, '/api/agents/web/restart', {}),
    ];
    for (const attempt of attempts) expect((await attempt()).status).toBe(401);
    expect(await store.readMessages('web', { peek: true })).toEqual([]);
    expect((await store.listLocks()).map((l) => l.file_path)).toEqual(['src/a.ts']);
    await alive(port);
  });

  it('sends a message and force-releases one holder\'s lock (recorded as forced) with the token', async () => {
    const { store, dashboard, port } = await serve();
    await store.updateAgent('web', { status: 'running', files: [] });
    await store.acquire({ agentId: 'api', paths: [{ path: 'src/**', mode: 'shared' }], owner });
    await store.acquire({ agentId: 'web', paths: [{ path: 'src/**', mode: 'shared' }], owner });
    const sent = await post(port, '/api/messages', { to: 'web', message: 'please hand over', type: 'handoff' }, dashboard.token);
    expect(sent.status).toBe(200);
    expect(await store.readMessages('web')).toMatchObject([{ from: 'dashboard', to: 'web', type: 'handoff', message: 'please hand over' }]);
    expect((await post(port, '/api/messages', { to: 'nobody', message: 'x' }, dashboard.token)).status).toBe(404);
    const released = await post(port, '/api/locks/release', { agent_id: 'api', file_path: 'src/**' }, dashboard.token);
    expect(released.status).toBe(200);
    // Only that holder's lock: the other shared holder keeps its own.
    expect((await store.listLocks()).map((l) => l.agent_id)).toEqual(['web']);
    expect((await store.board()).history.at(-1)).toMatchObject({ agent_id: 'api', file_path: 'src/**', event: 'forced', by: 'dashboard' });
    // It is told, as unlock --force tells it.
    expect(await store.readMessages('api')).toMatchObject([{ from: 'dashboard', type: 'status', message: expect.stringContaining('force-released your lock on src/**') }]);
    expect((await post(port, '/api/locks/release', { agent_id: 'api', file_path: 'src/**' }, dashboard.token)).status).toBe(404);
  });

  it('answers 409 to stop and restart without an attached run, 400 to malformed requests, 413 to a huge body', async () => {
    const { dashboard, port } = await serve();
    const token = dashboard.token;
    expect((await post(port, '/api/agents/api/stop', {}, token)).status).toBe(409);
    expect((await post(port, '/api/agents/api/restart', {}, token)).status).toBe(409);
    await alive(port);
    const json = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
    for (const body of ['{"to": "web", "message": ', '[1,2]', 'null', '"text"', '']) {
      const reply = await call(port, '/api/messages', { method: 'POST', headers: json, body });
      expect(reply.status, body).toBe(400);
      expect(reply.json<{ error: string }>().error).toMatch(/JSON/);
    }
    expect((await post(port, '/api/messages', { to: '../x', message: 'hi' }, token)).status).toBe(400);
    expect((await post(port, '/api/messages', { to: 'web', message: 'hi', type: 'shout' }, token)).status).toBe(400);
    expect((await post(port, '/api/locks/release', { agent_id: 'api' }, token)).status).toBe(400);
    await alive(port);
    const huge = JSON.stringify({ to: 'web', message: 'x'.repeat(70 * 1024) });
    expect((await call(port, '/api/messages', { method: 'POST', headers: json, body: huge })).status).toBe(413);
    expect((await call(port, '/api/messages', { method: 'POST', headers: json, body: huge, chunked: true })).status).toBe(413);
    await alive(port);
    expect((await call(port, '/api/board', { method: 'DELETE' })).status).toBe(405);
    expect((await call(port, '/api/board', { method: 'OPTIONS' })).status).toBe(405);
    await alive(port);
  });

  it('merges the changes of 50 agents (in 10 processes) into few whole board events, the last one showing all of them', async () => {
    const { dir, port } = await serve();
    const stream = await openEvents(port);
    await waitFor(() => stream.boards().length >= 1, { what: 'the board on connect' });
    const agents = Array.from({ length: 50 }, (_, i) => `agent-${i}`);
    // Ten processes of five agents each: fifty node processes starting at once on two shared cores
    // would test the machine's patience (the store's busy timeout), not the dashboard.
    const groups = Array.from({ length: 10 }, (_, g) => agents.slice(g * 5, g * 5 + 5));
    const exits = groups.map(
      (ids) =>
        new Promise<string>((resolve) => {
          const child = spawn(process.execPath, [AGENT_STATES, dir, ...ids], { stdio: ['ignore', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
          child.on('close', (code) => resolve(code === 0 ? 'ok' : `exit ${code}: ${stderr}`));
        }),
    );
    expect(await Promise.all(exits)).toEqual(groups.map(() => 'ok'));
    type Board = { agents: Record<string, { status: string }>; locks: unknown[] };
    const done = (b: Board): boolean => agents.every((id) => b.agents[id]?.status === 'exited') && b.locks.length === 0;
    await waitFor(() => stream.boards<Board>().some(done), { what: 'a board with every agent exited' });
    const boards = stream.boards<Board>();
    stream.close();
    // 50 agents × 4 changes each (waiting, locked, running, released + exited): 200 changes at least.
    expect(boards.length).toBeLessThan(100);
    // Each event is a whole record, never a partial one.
    for (const b of boards) expect(Object.keys(b)).toEqual(expect.arrayContaining(['updated_at', 'locks', 'agents', 'pending_messages', 'history', 'conflicts']));
    await alive(port);
  });

  it('forgets a client that disconnects, and keeps serving the others', async () => {
    const { dashboard, store, port } = await serve();
    const leaving = await openEvents(port);
    const staying = await openEvents(port);
    await waitFor(() => dashboard.clients === 2, { what: 'two clients' });
    leaving.close();
    await waitFor(() => dashboard.clients === 1, { what: 'the client that left forgotten' });
    await store.updateAgent('api', { status: 'running', files: [] });
    await waitFor(() => staying.boards().some((b) => b.agents.api?.status === 'running'), { what: 'the change sent to the one left' });
    staying.close();
    await waitFor(() => dashboard.clients === 0, { what: 'no clients' });
    await alive(port);
  });
});
