// `agentvisor mcp` driven by the SDK's real Client over stdio: the seven tools with their schemas,
// results as the contract's records, conflicts and bad input as isError results (the server lives
// on), the agent on the board from the start, and the locks it owns released when its client goes.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/core/open-store.js';
import type { BoardRecord, ConflictRecord, LockRecord, MessageRecord } from '../../src/core/records.js';
import { runCli } from '../helpers/cli.js';
import { testDir } from '../helpers/tempdir.js';
import { isGone, waitFor } from '../helpers/wait-for.js';
import { fixture, guard, guardUnderClient, thisClientId } from '../guard/support.js';
import { call, startMcp } from './support.js';

const DIR = join('data', '.agent_locks');

function project(): string {
  return testDir({ 'agents.config.json': '{ "agents": [] }\n', 'src/api/.keep': '' }, 'agentvisor-mcp-');
}

async function board(root: string): Promise<BoardRecord> {
  const store = await openStore({ dir: join(root, DIR) });
  try {
    return await store.board();
  } finally {
    await store.close();
  }
}

describe('agentvisor mcp', () => {
  it('lists the seven tools, each with a JSON input schema and a description for a model', async () => {
    const root = project();
    const mcp = await startMcp(root, { AGENT_ID: 'api' });
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['lock', 'unlock', 'check', 'status', 'send', 'inbox', 'request_handoff']);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.description!.length, tool.name).toBeGreaterThan(80);
    }
    expect(tools.find((t) => t.name === 'lock')!.inputSchema).toMatchObject({ required: ['paths'], properties: { paths: { type: 'array' }, shared: { type: 'boolean' }, wait_ms: { type: 'integer' } } });
    expect(tools.find((t) => t.name === 'lock')!.description).toMatch(/conflict.*request_handoff/s);
    await mcp.close();
  });

  it('lock, check, status, unlock: the contract records; a conflict is an isError result naming the holder', async () => {
    const root = project();
    const api = await startMcp(root, { AGENT_ID: 'api' });
    const web = await startMcp(root, { AGENT_ID: 'web' });

    const taken = await call(api, 'lock', { paths: ['src/api'] });
    expect(taken.isError).toBe(false);
    // A sentence for the model first (never JSON: Gemini CLI would parse it as structured content), then the records.
    expect(taken.texts[0]).toMatch(/^Locked for api: src\/api\/\*\* \(exclusive, token \d+\)/);
    expect(taken.texts).toHaveLength(2);
    const [lock] = taken.records as LockRecord[];
    expect(lock).toMatchObject({ agent_id: 'api', file_path: 'src/api/**', mode: 'exclusive', status: 'active', pid: api.pid });
    expect(typeof lock!.token).toBe('number');

    const refused = await call(web, 'lock', { paths: ['src/api/users.ts'] });
    expect(refused.isError).toBe(true);
    expect(refused.texts[0]).toContain('api holds src/api/**');
    expect(refused.texts[0]).toMatch(/request_handoff/);
    expect(refused.records).toMatchObject([{ file_path: 'src/api/users.ts', locked_by: 'api', lock_path: 'src/api/**', kind: 'refused' }]);

    const checked = await call(web, 'check', { paths: ['src/api/users.ts', 'src/web/x.ts'] });
    expect(checked.isError).toBe(false);
    expect((checked.records as ConflictRecord[]).map((c) => c.locked_by)).toEqual(['api']);

    const status = await call(web, 'status');
    expect((status.records as BoardRecord).locks.map((l) => [l.agent_id, l.file_path])).toEqual([['api', 'src/api/**']]);

    const notMine = await call(web, 'unlock', { paths: ['src/api/**'] });
    expect(notMine.isError).toBe(true);
    expect(notMine.texts[0]).toContain('Not held by web: src/api/**');
    const released = await call(api, 'unlock', { paths: ['src/api/'] });
    expect(released.isError).toBe(false);
    expect((released.records as LockRecord[]).map((l) => l.file_path)).toEqual(['src/api/**']);
    expect((await call(web, 'lock', { paths: ['src/api/users.ts'], shared: true })).records).toMatchObject([{ agent_id: 'web', mode: 'shared' }]);
    await Promise.all([api.close(), web.close()]);
  });

  it('bad input is an isError result naming the problem, and the server goes on', async () => {
    const root = project();
    const mcp = await startMcp(root, { AGENT_ID: 'api' });
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['lock', {}, /"paths" is required/],
      ['lock', { paths: [] }, /non-empty array/],
      ['lock', { paths: ['../etc/passwd'] }, /outside|leaves/i],
      ['lock', { paths: ['+(a|b)'] }, /extglob|\+\(/i],
      ['lock', { paths: ['a'], wait_ms: -1 }, /wait_ms/],
      ['lock', { paths: ['a'], colour: 'red' }, /unknown argument "colour"/],
      ['send', { to: 'a/b', message: 'hi' }, /a\/b/],
      ['send', { to: 'nobody', message: 'hi' }, /unknown agent "nobody"/],
      ['send', { to: 'api', message: 'hi', type: 'shout' }, /note, handoff, status/],
      ['frobnicate', {}, /unknown tool "frobnicate"/],
    ];
    for (const [name, args, expected] of cases) {
      const result = await call(mcp, name, args);
      expect(result.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
      expect(result.texts.join('\n'), `${name} ${JSON.stringify(args)}`).toMatch(expected);
    }
    expect((await call(mcp, 'lock', { paths: ['src/ok.ts'] })).isError).toBe(false);
    expect(mcp.stderr()).not.toMatch(/Error:|at .*\.js:\d+/);
    await mcp.close();
  });

  it('send and inbox: message records; inbox marks read unless peek', async () => {
    const root = project();
    const api = await startMcp(root, { AGENT_ID: 'api' });
    const web = await startMcp(root, { AGENT_ID: 'web' });
    const sent = await call(web, 'send', { to: 'api', message: 'schema changed', type: 'status' });
    expect(sent.records).toMatchObject([{ from: 'web', to: 'api', type: 'status', message: 'schema changed' }]);
    expect((await call(api, 'inbox', { peek: true })).records).toHaveLength(1);
    const read = (await call(api, 'inbox')).records as MessageRecord[];
    expect(read.map((m) => m.message)).toEqual(['schema changed']);
    expect((await call(api, 'inbox')).records).toEqual([]);
    // `*`: every agent the board knows but the sender.
    expect(((await call(api, 'send', { to: '*', message: 'hello all' })).records as MessageRecord[]).map((m) => m.to)).toEqual(['web']);
    await Promise.all([api.close(), web.close()]);
  });

  it('registers its agent on the board at start; owns its locks; releases them when the client closes stdin', async () => {
    const root = project();
    const mcp = await startMcp(root, { AGENT_ID: 'api', AGENTVISOR_HEARTBEAT_MS: '200' });
    const entry = (await board(root)).agents.api;
    expect(entry).toMatchObject({ status: 'running', pid: mcp.pid });
    expect(entry!.host).toBeTruthy();
    // Other agents can send to it before it ever called a tool.
    expect((await runCli(['send', 'api', 'hi', '--from', 'web'], { cwd: root })).code).toBe(0);

    const [lock] = (await call(mcp, 'lock', { paths: ['src/api/**'] })).records as LockRecord[];
    // Renewed every heartbeat while it runs.
    await waitFor(async () => (await board(root)).locks.some((l) => l.token === lock!.token && l.heartbeat > lock!.heartbeat), { what: 'a renewal' });
    await mcp.close();
    const after = await board(root);
    expect(after.locks).toEqual([]);
    expect(after.agents.api).toMatchObject({ status: 'exited' });
    expect(after.history.map((h) => h.event)).toEqual(['locked', 'released']);
  });

  it('releases its locks on SIGTERM', async () => {
    const root = project();
    const mcp = await startMcp(root, { AGENT_ID: 'api' });
    expect((await call(mcp, 'lock', { paths: ['src/**'] })).isError).toBe(false);
    process.kill(mcp.pid, 'SIGTERM');
    await waitFor(() => isGone(mcp.pid), { what: 'the server to exit' });
    expect((await board(root)).locks).toEqual([]);
  });

  it('inside a supervised agent its locks are the agent\'s (kept alive by the supervisor), and it registers nothing', async () => {
    const root = project();
    // The supervisor's marker names a live process (this test) that keeps the lock alive.
    const mcp = await startMcp(root, { AGENT_ID: 'api', AGENTVISOR_SUPERVISOR: String(process.pid), AGENTVISOR_HEARTBEAT_MS: '1000' });
    const [lock] = (await call(mcp, 'lock', { paths: ['src/**'] })).records as LockRecord[];
    expect(lock).toMatchObject({ pid: process.pid, lease_ms: 3000 });
    expect((await board(root)).agents.api).toBeUndefined();
    await mcp.close();
    expect((await board(root)).locks.map((l) => l.file_path)).toEqual(['src/**']);
  });

  it('wait_ms waits in line and is granted on release; notifications/cancelled abandons a wait and takes nothing', async () => {
    const root = project();
    const api = await startMcp(root, { AGENT_ID: 'api' });
    const web = await startMcp(root, { AGENT_ID: 'web' });
    await call(api, 'lock', { paths: ['src/**'] });

    const cancel = new AbortController();
    const abandoned = web.client.callTool({ name: 'lock', arguments: { paths: ['src/a.ts'], wait_ms: 40_000 } }, undefined, { signal: cancel.signal });
    await waitFor(async () => (await queueEntries(root)) > 0, { what: 'web in line' });
    cancel.abort();
    await expect(abandoned).rejects.toThrow();
    await waitFor(async () => (await queueEntries(root)) === 0, { what: 'the cancelled waiter to leave the line' });
    await call(api, 'unlock', { paths: ['src/**'] });
    expect((await board(root)).locks).toEqual([]);

    await call(api, 'lock', { paths: ['src/**'] });
    const waiting = call(web, 'lock', { paths: ['src/a.ts'], wait_ms: 40_000 });
    await waitFor(async () => (await queueEntries(root)) > 0, { what: 'web in line' });
    await call(api, 'unlock', { paths: ['src/**'] });
    expect((await waiting).records).toMatchObject([{ agent_id: 'web', file_path: 'src/a.ts' }]);

    const timedOut = await call(api, 'lock', { paths: ['src/a.ts'], wait_ms: 300 });
    expect(timedOut.isError).toBe(true);
    expect(timedOut.texts[0]).toMatch(/still held after waiting 300 ms.*\n- src\/a.ts: web holds src\/a.ts/);
    await Promise.all([api.close(), web.close()]);
  });
});

/** Waiters in the file store's line (queue/<ticket>.json). */
async function queueEntries(root: string): Promise<number> {
  try {
    return readdirSync(join(root, DIR, 'queue')).filter((f) => f.endsWith('.json')).length;
  } catch {
    return 0;
  }
}

describe('agentvisor mcp without AGENT_ID', () => {
  it('acts as the client process it runs under, the same agent as that client\'s guard hook', async () => {
    const root = project();
    // Started by this test process (its client), as the guard hooks run directly below are.
    const mcp = await startMcp(root);
    const [lock] = (await call(mcp, 'lock', { paths: ['src/api/**'] })).records as LockRecord[];
    expect(lock!.agent_id).toBe(thisClientId());
    // Its own MCP lock does not block its own edit...
    expect((await guard(root, fixture('claude-write', root))).code).toBe(0);
    // ...and blocks another client's.
    const other = await guardUnderClient(root, fixture('claude-write', root));
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`agent "${thisClientId()}" holds it`);
    await mcp.close();
  });
});
