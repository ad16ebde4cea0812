// File-only: corrupt files are the file store's own (the PostgreSQL store's rows are typed).
// Corrupt, truncated and unknown-version files: no reader crashes, and the documented rules hold
// (docs/file-store.md): a lock file that does not parse holds everything until it is an hour old;
// a lock from a newer agentvisor is respected and never rewritten; bad board, agent, journal and
// message files are skipped or set aside.

import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../../../src/core/fs-store/file-store.js';
import type { BoardRecord, LockOwner } from '../../../src/index.js';
import { testDir } from '../../helpers/tempdir.js';
import { lockRecord, writeLockFile } from './support.js';

const SELF: LockOwner = { pid: process.pid, leaseMs: null };

function open(): { store: FileStore; dir: string } {
  const dir = join(testDir(), 'locks');
  return { store: new FileStore({ dir }), dir };
}

describe('lock files', () => {
  it('a truncated lock file counts as held by "(unreadable)" on everything, until an hour old', async () => {
    const { store, dir } = open();
    const file = writeLockFile(dir, 'torn.lock', JSON.stringify(lockRecord({ agent_id: 'a', file_path: 'x' })).slice(0, 40));
    const conflicts = await store.check('b', [{ path: 'anything/at/all.ts', mode: 'shared' }]);
    expect(conflicts).toMatchObject([{ locked_by: '(unreadable)', lock_path: '**', witness: 'anything/at/all.ts' }]);
    expect((await store.board()).locks[0]).toMatchObject({ agent_id: '(unreadable)', unreadable: 'torn.lock' });
    expect((await store.acquire({ agentId: 'b', paths: [{ path: 'y', mode: 'exclusive' }], owner: SELF })).granted).toBe(false);

    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(file, twoHoursAgo, twoHoursAgo);
    expect((await store.cleanupStale()).map((l) => l.unreadable)).toEqual(['torn.lock']);
    expect((await store.acquire({ agentId: 'b', paths: [{ path: 'y', mode: 'exclusive' }], owner: SELF })).granted).toBe(true);
    await store.close();
  });

  it('a lock of an unknown, newer version is respected, never rewritten, released by its agent', async () => {
    const { store, dir } = open();
    const text = JSON.stringify({ ...lockRecord({ agent_id: 'a', file_path: 'src/**', pid: process.pid }), version: 99, future_field: { x: 1 } });
    const file = writeLockFile(dir, 'future.lock', text);
    expect(await store.check('b', [{ path: 'src/a.ts', mode: 'exclusive' }])).toHaveLength(1);
    await store.renew('a', { pid: process.pid });
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect((await store.release('a', ['src/**'])).released).toHaveLength(1);
    await store.close();
  });

  it("a record in the seed tool's shape (no mode, pid, token) is a held exclusive lock", async () => {
    const { store, dir } = open();
    writeLockFile(dir, 'seed.lock', JSON.stringify({ agent_id: 'py', file_path: 'src/a.py', timestamp: new Date().toISOString(), status: 'active' }));
    expect(await store.check('b', [{ path: 'src/*.py', mode: 'shared' }])).toMatchObject([{ locked_by: 'py', witness: 'src/a.py' }]);
    await store.close();
  });
});

describe('other files', () => {
  it('corrupt board, agent, history and conflict files: readers skip what is bad, the board is rebuilt', async () => {
    const { store, dir } = open();
    await store.updateAgent('good', { status: 'running' });
    mkdirSync(join(dir, 'agents'), { recursive: true });
    writeFileSync(join(dir, 'agents', 'bad.json'), '{"status": "runn');
    writeFileSync(join(dir, 'history.jsonl'), '{"at":"2026-01-01T00:00:00Z","agent_id":"a","file_path":"x","event":"locked"}\n{"at": tor\n');
    writeFileSync(join(dir, 'conflicts.jsonl'), 'not json\n');
    writeFileSync(join(dir, 'status_board.json'), '{"updated_at": "trunc');
    writeFileSync(join(dir, 'counters.json'), '\0\0\0');
    const board = await store.board();
    expect(Object.keys(board.agents)).toEqual(['good']);
    expect(board.history).toHaveLength(1);
    expect(board.conflicts).toEqual([]);
    await store.acquire({ agentId: 'a', paths: [{ path: 'x', mode: 'exclusive' }], owner: SELF });
    await store.flushBoard();
    const written = JSON.parse(readFileSync(join(dir, 'status_board.json'), 'utf8')) as BoardRecord;
    expect(written.locks.map((l) => l.file_path)).toEqual(['x']);
    expect(written.history.at(-1)).toMatchObject({ event: 'locked', file_path: 'x' });
    await store.close();
  });

  it('a corrupt message is set aside, not returned, and the others still arrive in order', async () => {
    const { store, dir } = open();
    await store.send({ from: 'a', to: 'b', type: 'note', message: 'one' });
    writeFileSync(join(dir, 'messages', 'b', '000000000002.json'), '{"id": "tor');
    // The counters say 1 was the last: the next send must not overwrite file 2.
    await store.send({ from: 'a', to: 'b', type: 'note', message: 'three' });
    expect((await store.readMessages('b', { peek: true })).map((m) => m.message)).toEqual(['one', 'three']);
    expect((await store.readMessages('b')).map((m) => m.message)).toEqual(['one', 'three']);
    expect(readdirSync(join(dir, 'messages', 'b'))).toEqual(['read']);
    expect(readdirSync(join(dir, 'messages', 'b', 'read'))).toHaveLength(3);
    await store.close();
  });
});

describe('a read-only call on a missing coordination dir', () => {
  it('creates nothing', async () => {
    const { store, dir } = open();
    expect(await store.check('a', [{ path: 'x', mode: 'exclusive' }])).toEqual([]);
    expect(await store.listLocks()).toEqual([]);
    expect((await store.board()).locks).toEqual([]);
    expect(await store.readMessages('a')).toEqual([]);
    expect(await store.cleanupStale()).toEqual([]);
    expect(await store.release('a', ['x'])).toEqual({ released: [], notHeld: ['x'] });
    expect(await store.knownAgents()).toEqual([]);
    await store.flushBoard();
    await store.close();
    expect(existsSync(dir)).toBe(false);
  });
});
