// status and cleanup through the built CLI, on both stores: the table, the fresh board record, the
// current run's agents apart from earlier runs', --watch until interrupted, and cleanup's count; on
// files, an empty status that creates nothing.

import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { BoardRecord, LockRecord } from '../../src/core/records.js';
import { waitFor, isGone } from '../helpers/wait-for.js';
import { testDir } from '../helpers/tempdir.js';
import { forEachStore } from '../helpers/stores.js';
import { cli, coordinationDirExists, json, LOCK_DIR, onStore, project } from './support.js';

forEachStore((kind) => describe('status', () => {
  it('shows locks, conflicts and pending messages; --json is a valid board record', async () => {
    const { cli } = onStore(kind.name);
    const root = project(['api', 'web']);
    expect((await cli(root, ['lock', 'src/api/**', '--agent', 'api', '--ttl', '1h'])).code).toBe(0);
    expect((await cli(root, ['lock', 'src/api/x.ts', '--agent', 'web'])).code).toBe(3);
    expect((await cli(root, ['send', 'api', 'hello', '--from', 'web'])).code).toBe(0);

    const table = await cli(root, ['status']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/PATH\s+HOLDER\s+MODE\s+SINCE\s+HEARTBEAT\s+TOKEN/);
    expect(table.stdout).toMatch(/src\/api\/\*\*\s+api\s+exclusive\s+\d\d:\d\d:\d\d\s+\d+(ms|s)\s+\d+/);
    expect(table.stdout).toMatch(/refused\s+\S+\s+src\/api\/x\.ts\s+api\s+src\/api\/\*\*\s+src\/api\/x\.ts/);
    expect(table.stdout).toContain('api: 1');
    expect(table.stdout).not.toContain('\x1b['); // not a TTY: no colour

    const board = json<BoardRecord>(await cli(root, ['status', '--json']));
    expect(Number.isNaN(Date.parse(board.updated_at))).toBe(false);
    expect(board.locks).toHaveLength(1);
    const lock = board.locks[0]!;
    for (const field of ['agent_id', 'file_path', 'timestamp', 'status', 'mode', 'heartbeat', 'pid', 'host', 'token', 'expires_at']) {
      expect(lock, field).toHaveProperty(field);
    }
    expect(lock).toMatchObject({ agent_id: 'api', file_path: 'src/api/**', status: 'active', mode: 'exclusive', pid: null });
    expect(Date.parse(lock.expires_at!) - Date.parse(lock.timestamp)).toBe(3_600_000);
    expect(board.pending_messages).toMatchObject({ api: 1 });
    expect(board.conflicts.at(-1)).toMatchObject({ file_path: 'src/api/x.ts', locked_by: 'api', lock_path: 'src/api/**', kind: 'refused' });
    expect(board.history.some((h) => h.event === 'locked' && h.agent_id === 'api')).toBe(true);
    // The contract's growth: the store's clock, the waiting line, the last messages, lease_ms.
    expect(Number.isNaN(Date.parse(board.now))).toBe(false);
    expect(board.waiters).toEqual([]);
    expect(board.messages).toEqual([expect.objectContaining({ from: 'web', to: 'api', type: 'note', message: 'hello' })]);
    expect(lock).toHaveProperty('lease_ms', null);
  });

  it("the current run's agents first; earlier runs' apart, listed with --all; ended agents say why", async () => {
    const { cli } = onStore(kind.name);
    const root = testDir({
      'one.json': JSON.stringify({ agents: [{ id: 'old', command: 'true' }] }),
      'two.json': JSON.stringify({ agents: [{ id: 'new', command: 'exit 3' }] }),
    });
    expect((await cli(root, ['run', '--config', 'one.json'])).code).toBe(0);
    expect((await cli(root, ['run', '--config', 'two.json'])).code).toBe(1);
    const board = json<BoardRecord>(await cli(root, ['status', '--json']));
    expect(board.agents.old).toMatchObject({ status: 'exited', reason: 'exit', ended_at: expect.any(String), run_id: expect.any(String) });
    expect(board.agents.new).toMatchObject({ status: 'failed', reason: 'exit', exit_code: 3 });
    expect(board.agents.new!.run_id).not.toBe(board.agents.old!.run_id);

    const plain = (await cli(root, ['status'])).stdout;
    expect(plain).toMatch(/Agents \(1\)\n.*\n {2}new\s+failed\s.*exit, ended \d\d:\d\d:\d\d\n {2}and 1 agent of earlier runs \(status --all lists them\)/);
    expect(plain).not.toMatch(/^ {2}old\s/m);
    const all = (await cli(root, ['status', '--all'])).stdout;
    expect(all).toMatch(/Agents of earlier runs \(1\)\n.*\n {2}old\s+exited\s/);
  });

  it('--watch prints the board again when a lock changes, until SIGINT', async () => {
    const { cli, start } = onStore(kind.name);
    const root = project();
    expect((await cli(root, ['lock', 'first.txt', '--agent', 'a'])).code).toBe(0);
    const watcher = start(root, ['status', '--watch', '--json']);
    const boards = () => watcher.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as BoardRecord);
    await waitFor(() => boards().length >= 1, { what: 'the first board' });
    expect(boards()[0]!.locks.map((l) => l.file_path)).toEqual(['first.txt']);
    expect((await cli(root, ['lock', 'second.txt', '--agent', 'a'])).code).toBe(0);
    await waitFor(() => boards().some((b) => b.locks.length === 2), { what: 'a board with both locks' });
    watcher.child.kill('SIGINT');
    expect(await watcher.exited).toBe(0);
  });
}));

forEachStore((kind) => describe('cleanup', () => {
  it('reclaims stale locks (TTL passed, dead keeper), leaves live ones, and counts', async () => {
    const { cli } = onStore(kind.name);
    const root = project();
    expect((await cli(root, ['cleanup'])).stdout).toContain('reclaimed 0 stale locks');
    expect(coordinationDirExists(root)).toBe(false);

    // Any writing store operation reclaims what is stale, so the locks turn stale only after the
    // last such command: a TTL that runs out, and a keeper (a stand-in supervisor) killed.
    const keeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
    onTestFinished(() => void keeper.kill('SIGKILL'));
    expect((await cli(root, ['lock', 'live.txt', '--agent', 'c'])).code).toBe(0);
    const kept = await cli(root, ['lock', 'kept.txt'], { env: { AGENT_ID: 'b', AGENTVISOR_SUPERVISOR: String(keeper.pid) } });
    expect(kept.code, kept.stderr).toBe(0);
    const ttl = await cli(root, ['lock', 'ttl1.txt', 'ttl2.txt', '--agent', 'a', '--ttl', '300ms', '--json']);
    expect(ttl.code, ttl.stderr).toBe(0);
    const expiresAt = Date.parse(json<LockRecord[]>(ttl)[0]!.expires_at!);
    keeper.kill('SIGKILL');
    await waitFor(() => isGone(keeper.pid!) && Date.now() > expiresAt + 10, { what: 'the keeper gone and the TTL passed' });

    // Reading commands show the stale locks as gone but leave the reclaiming, and its report, to cleanup.
    const before = json<BoardRecord>(await cli(root, ['status', '--json']));
    expect(before.locks.map((l) => l.file_path)).toEqual(['live.txt']);
    expect((await cli(root, ['check', 'kept.txt', '--agent', 'x'])).code).toBe(0);

    const cleaned = await cli(root, ['cleanup', '--json']);
    expect(cleaned.code).toBe(0);
    const result = json<{ reclaimed: number; locks: LockRecord[] }>(cleaned);
    expect(result.reclaimed).toBe(3);
    expect(result.locks.map((l) => l.file_path).sort()).toEqual(['kept.txt', 'ttl1.txt', 'ttl2.txt']);

    const board = json<BoardRecord>(await cli(root, ['status', '--json']));
    expect(board.locks.map((l) => l.file_path)).toEqual(['live.txt']);
    expect((await cli(root, ['cleanup'])).stdout).toContain('reclaimed 0 stale locks');
  });
}));

// File-only: the coordination dir.
describe('status on files', () => {
  it('on a missing coordination dir: an empty status, as a table and as a board, creating nothing', async () => {
    const root = project();
    const table = await cli(root, ['status']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Agents \(0\)\n {2}none/);
    expect(table.stdout).toMatch(/Locks \(0\)\n {2}none/);
    const board = json<BoardRecord>(await cli(root, ['status', '--json']));
    expect(board).toMatchObject({ locks: [], agents: {}, pending_messages: {}, history: [], conflicts: [] });
    expect(coordinationDirExists(root)).toBe(false);

    // An empty coordination dir stays empty under every read-only command.
    mkdirSync(join(root, LOCK_DIR), { recursive: true });
    for (const args of [['status'], ['status', '--json'], ['check', 'a', '--agent', 'x'], ['inbox', '--agent', 'x'], ['cleanup'], ['unlock', 'a', '--agent', 'x']]) {
      expect((await cli(root, args)).code, args.join(' ')).toBe(args[0] === 'unlock' ? 1 : 0);
    }
    expect(readdirSync(join(root, LOCK_DIR))).toEqual([]);
  });
});
