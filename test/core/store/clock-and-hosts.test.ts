// File-only: a lock file written by another host is judged by wall time alone, whatever its pid.
// (A wall clock jumping an hour either way, on both stores: test/store-contract/clock.test.ts; two
// hosts on PostgreSQL: test/pg-store/two-hosts.test.ts.)

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LockRecord } from '../../../src/index.js';
import { testDir } from '../../helpers/tempdir.js';
import { lockRecord, resultOf, runActor, writeLockFile } from './support.js';

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
