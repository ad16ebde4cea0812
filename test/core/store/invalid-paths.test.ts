// File-only: a lock file (or queue entry) that carries a lock path that does not parse (an older
// version, a person) is held by its agent on everything and never makes a reader throw. (Refusing
// such a path in a request, and escaped literal names, on both stores: test/store-contract/paths.test.ts.)

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { systemLiveness } from '../../../src/core/liveness.js';
import { FileStore } from '../../../src/core/fs-store/file-store.js';
import type { LockOwner } from '../../../src/index.js';
import { testDir } from '../../helpers/tempdir.js';
import { deadPid, listing, lockRecord, resultOf, runActor, writeLockFile } from './support.js';

const SELF: LockOwner = { pid: process.pid, leaseMs: null };
const BAD = 'src/app/[[]slug]/**';

function open(): { store: FileStore; dir: string } {
  const dir = join(testDir(), 'locks');
  return { store: new FileStore({ dir }), dir };
}

describe('a lock file whose lock path does not parse', () => {
  it('is held by its agent on everything: check, acquire and board answer, its agent releases it with "**"', async () => {
    const { store, dir } = open();
    writeLockFile(dir, 'bad.guard-a.lock', lockRecord({ agent_id: 'guard-a', file_path: BAD, pid: process.pid, token: 7 }));

    expect(await store.check('b', [{ path: 'README.md', mode: 'shared' }])).toMatchObject([{ locked_by: 'guard-a', lock_path: '**', witness: 'README.md' }]);
    const refused = await store.acquire({ agentId: 'b', paths: [{ path: 'docs/**', mode: 'exclusive' }], owner: SELF });
    expect(refused).toMatchObject({ granted: false, reason: 'conflict', conflicts: [{ locked_by: 'guard-a', lock_path: '**' }] });
    expect((await store.board()).locks).toMatchObject([{ agent_id: 'guard-a', file_path: '**', mode: 'exclusive', unreadable: 'bad.guard-a.lock', token: 7 }]);
    // Another process reads it the same way (the guard hook, a CLI check).
    const other = await runActor(dir, [{ op: 'check', agent: 'c', paths: ['src/app/x.ts'] }, { op: 'list' }]);
    expect(resultOf(other.lines, 'check')).toMatchObject([{ locked_by: 'guard-a', lock_path: '**' }]);

    // Its own agent is not blocked by it, and can let it go.
    expect((await store.acquire({ agentId: 'guard-a', paths: [{ path: 'src/a.ts', mode: 'exclusive' }], owner: SELF })).granted).toBe(true);
    expect((await store.release('guard-a', ['**'])).released).toMatchObject([{ unreadable: 'bad.guard-a.lock' }]);
    expect((await store.acquire({ agentId: 'b', paths: [{ path: 'docs/**', mode: 'exclusive' }], owner: SELF })).granted).toBe(true);
    await store.close();
  });

  it('is judged by its own record: a dead holder is reclaimed at once; renew never rewrites it', async () => {
    const { store, dir } = open();
    writeLockFile(dir, 'dead.lock', lockRecord({ agent_id: 'gone', file_path: 'a]b', pid: await deadPid(), lease_ms: 60_000 }));
    writeLockFile(dir, 'alive.lock', lockRecord({ agent_id: 'here', file_path: '+(x)', pid: process.pid, lease_ms: 60_000 }));
    expect((await store.cleanupStale()).map((l) => l.agent_id)).toEqual(['gone']);
    expect((await store.renew('here', { pid: process.pid })).renewed).toEqual([]);
    expect(listing(dir).locks).toEqual(['alive.lock']);
    expect(await store.check('b', [{ path: 'any', mode: 'exclusive' }])).toMatchObject([{ locked_by: 'here', lock_path: '**' }]);
    await store.close();
  });

  it('a waiter whose awaited path does not parse blocks conservatively instead of throwing', async () => {
    const { store, dir } = open();
    await store.acquire({ agentId: 'a', paths: [{ path: 'q', mode: 'exclusive' }], owner: SELF });
    const now = new Date().toISOString();
    writeLockFile(join(dir, 'queue'), '000000000001.json', JSON.stringify({
      ticket: 1, agent_id: 'w', paths: [{ path: BAD, mode: 'exclusive' }], pid: process.pid, pid_start: null,
      host: systemLiveness.host, boot_id: systemLiveness.bootId, since: now, heartbeat: now, heartbeat_mono: systemClock.mono(),
    }));
    const result = await store.acquire({ agentId: 'b', paths: [{ path: 'z', mode: 'exclusive' }], owner: SELF });
    expect(result).toMatchObject({ granted: false, conflicts: [{ locked_by: 'w', lock_path: BAD, queued: true }] });
    await store.close();
  });
});
