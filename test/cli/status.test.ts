// status and cleanup through the built CLI: the table, the fresh board record, an empty status
// that creates nothing, --watch until interrupted, and cleanup's count.

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { BoardRecord } from '../../src/core/records.js';
import { waitFor, isGone } from '../helpers/wait-for.js';
import { cli, coordinationDirExists, json, project, start } from './support.js';

describe('status', () => {
  it('on a missing coordination dir: an empty status, as a table and as a board, creating nothing', async () => {
    const root = project();
    const table = await cli(root, ['status']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Agents \(0\)\n {2}none/);
    expect(table.stdout).toMatch(/Locks \(0\)\n {2}none/);
    const board = json<BoardRecord>(await cli(root, ['status', '--json']));
    expect(board).toMatchObject({ locks: [], agents: {}, pending_messages: {}, history: [], conflicts: [] });
    expect(coordinationDirExists(root)).toBe(false);
  });

  it('shows locks, conflicts and pending messages; --json is a valid board record', async () => {
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
  });

  it('--watch prints the board again when a lock changes, until SIGINT', async () => {
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
});

describe('cleanup', () => {
  it('reclaims stale locks (TTL passed, dead keeper), leaves live ones, and counts', async () => {
    const root = project();
    expect((await cli(root, ['cleanup'])).stdout).toContain('reclaimed 0 stale locks');
    expect(coordinationDirExists(root)).toBe(false);

    // Every acquisition reclaims what is stale, so each stale set is made by one command.
    expect((await cli(root, ['lock', 'live.txt', '--agent', 'c'])).code).toBe(0);
    expect((await cli(root, ['lock', 'ttl1.txt', 'ttl2.txt', '--agent', 'a', '--ttl', '1ms'])).code).toBe(0);
    const expired = await cli(root, ['cleanup', '--json']);
    expect(expired.code).toBe(0);
    const result = json<{ reclaimed: number; locks: { file_path: string }[] }>(expired);
    expect(result.reclaimed).toBe(2);
    expect(result.locks.map((l) => l.file_path).sort()).toEqual(['ttl1.txt', 'ttl2.txt']);

    // A lock kept alive by a supervisor that is dead now.
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => gone.on('exit', resolve));
    await waitFor(() => isGone(gone.pid!), { what: 'the short process to be gone' });
    const dead = await cli(root, ['lock', 'dead.txt'], { env: { AGENT_ID: 'b', AGENTVISOR_SUPERVISOR: String(gone.pid) } });
    expect(dead.code, dead.stderr).toBe(0);
    const cleaned = await cli(root, ['cleanup']);
    expect(cleaned.stdout).toContain('reclaimed 1 stale lock\n');
    expect(cleaned.stdout).toContain('`dead.txt` of b');

    const board = json<BoardRecord>(await cli(root, ['status', '--json']));
    expect(board.locks.map((l) => l.file_path)).toEqual(['live.txt']);
    expect((await cli(root, ['cleanup'])).stdout).toContain('reclaimed 0 stale locks');
  });
});
