// File-only: what a long-lived file store process keeps between critical sections (descriptors of
// counters.json and the journals, parsed lock files by file identity) never hides a change another
// process or a person made: files deleted by hand, renewed by another process, rewritten in place.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../../../src/core/fs-store/file-store.js';
import type { AcquireResult, LockOwner } from '../../../src/index.js';
import { testDir } from '../../helpers/tempdir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { listing, resultOf, runActor } from './support.js';

const SELF: LockOwner = { pid: process.pid, leaseMs: null };

function open(): { store: FileStore; dir: string } {
  const dir = join(testDir(), 'locks');
  return { store: new FileStore({ dir }), dir };
}

describe('descriptors kept open across sections', () => {
  it('counters.json and history.jsonl deleted by hand: recovered, tokens still grow, new lines land in the new file', async () => {
    const { store, dir } = open();
    const first = await store.acquire({ agentId: 'a', paths: [{ path: 'x', mode: 'exclusive' }], owner: SELF });
    expect(first.granted).toBe(true);
    rmSync(join(dir, 'counters.json'));
    rmSync(join(dir, 'history.jsonl'));
    const second = (await store.acquire({ agentId: 'a', paths: [{ path: 'y', mode: 'exclusive' }], owner: SELF })) as AcquireResult & { token: number };
    expect(second.token).toBeGreaterThan((first as { token: number }).token);
    expect(existsSync(join(dir, 'counters.json'))).toBe(true);
    expect(readFileSync(join(dir, 'history.jsonl'), 'utf8')).toMatch(/"file_path":"y","event":"locked"/);
    // Another process reads the same counters: its token comes next.
    const other = await runActor(dir, [{ op: 'acquire', agent: 'b', paths: ['z'] }]);
    expect(resultOf<{ token: number }>(other.lines, 'acquire').token).toBe(second.token + 1);
    await store.close();
  });
});

describe('the read cache of lock files', () => {
  it('sees a renewal by another process, and a file rewritten in place by hand', async () => {
    const { store, dir } = open();
    const owner = { pid: process.pid, leaseMs: 60_000 };
    await runActor(dir, [{ op: 'acquire', agent: 'a', paths: ['src/**'], owner }]);
    const [before] = await store.listLocks();
    expect(before).toMatchObject({ agent_id: 'a', file_path: 'src/**' });
    // The renewal must carry a later heartbeat than the one just read.
    await waitFor(() => Date.now() > Date.parse(before!.heartbeat) + 5, { what: 'the clock to move on' });
    await runActor(dir, [{ op: 'renew', agent: 'a', pid: process.pid }]);
    const [renewed] = await store.listLocks();
    expect(Date.parse(renewed!.heartbeat)).toBeGreaterThan(Date.parse(before!.heartbeat));

    const [name] = listing(dir).locks;
    writeFileSync(join(dir, name!), '{"agent_id": "a", "file_pa');
    expect(await store.listLocks()).toMatchObject([{ agent_id: '(unreadable)', file_path: '**', unreadable: name }]);
    await store.close();
  });
});
