// Time and place: a wall clock jumping an hour either way reclaims no live lock (ages are measured
// on CLOCK_MONOTONIC for records of this boot); a lock written by another host is judged by wall
// time alone, whatever its pid.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConflictRecord, LockRecord } from '../../../src/index.js';
import { testDir } from '../../helpers/tempdir.js';
import { lockRecord, resultOf, runActor, spawnActor, writeLockFile } from './support.js';

const HOUR = 3_600_000;

describe('a wall-clock jump', () => {
  it('of an hour forward or back reclaims neither a leased lock nor a 1-hour lock', async () => {
    const dir = join(testDir(), 'locks');
    const holder = spawnActor(dir, [
      // Kept alive by this process with a 60 s lease...
      { op: 'acquire', agent: 'leased', paths: ['a/**'], owner: { pid: 'self', leaseMs: 60_000 } },
      // ...and one without owner or lease: the 1-hour rule.
      { op: 'acquire', agent: 'hourly', paths: ['b/**'], owner: 'none' },
      { op: 'hold' },
    ]);
    await holder.line((l) => l.op === 'acquire' && (l.result as { locks: LockRecord[] }).locks[0]?.agent_id === 'hourly');
    for (const offset of [HOUR + 60_000, -(HOUR + 60_000)]) {
      const { lines } = await runActor(dir, [{ op: 'cleanup' }, { op: 'check', agent: 'other', paths: ['**'] }], {
        AGENTVISOR_TEST_CLOCK_OFFSET_MS: String(offset),
      });
      expect(resultOf<LockRecord[]>(lines, 'cleanup')).toEqual([]);
      expect(resultOf<ConflictRecord[]>(lines, 'check').map((c) => c.locked_by).sort()).toEqual(['hourly', 'leased']);
    }
    holder.child.stdin!.end();
    await holder.exited;
  });
});

describe('a lock from another host', () => {
  it('is judged by time alone: a pid that is dead here does not matter; an old heartbeat does', async () => {
    const dir = join(testDir(), 'locks');
    const elsewhere = { host: 'another-host', boot_id: 'another-boot', pid: 999_999, pid_start: 1, timestamp_mono: 1, heartbeat_mono: 1 };
    writeLockFile(dir, 'fresh.lock', lockRecord({ agent_id: 'far', file_path: 'far/**', ...elsewhere, lease_ms: 60_000 }));
    const old = new Date(Date.now() - 2 * 60_000).toISOString();
    writeLockFile(dir, 'old.lock', lockRecord({ agent_id: 'far-old', file_path: 'old/**', ...elsewhere, lease_ms: 60_000, timestamp: old, heartbeat: old, token: 2 }));
    const { lines } = await runActor(dir, [{ op: 'cleanup' }, { op: 'list' }]);
    expect(resultOf<LockRecord[]>(lines, 'cleanup').map((l) => l.agent_id)).toEqual(['far-old']);
    expect(resultOf<LockRecord[]>(lines, 'list').map((l) => l.agent_id)).toEqual(['far']);

    // The same lock seen from a process whose wall clock runs two minutes ahead: now stale.
    const ahead = await runActor(dir, [{ op: 'cleanup' }], { AGENTVISOR_TEST_CLOCK_OFFSET_MS: String(2 * 60_000) });
    expect(resultOf<LockRecord[]>(ahead.lines, 'cleanup').map((l) => l.agent_id)).toEqual(['far']);
  });
});
