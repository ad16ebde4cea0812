// Time on both stores: a process whose wall clock is an hour ahead or behind reclaims neither a
// leased lock nor a 1-hour lock (the file store measures ages on CLOCK_MONOTONIC for records of
// this boot; the PostgreSQL store on the database's clock).

import { expect, it } from 'vitest';
import type { ConflictRecord, LockRecord } from '../../src/index.js';
import { resultOf, runActor, spawnActor } from '../core/store/support.js';
import { forEachStore } from '../helpers/stores.js';

const HOUR = 3_600_000;

forEachStore((kind) => {
  it('a wall clock an hour ahead or behind reclaims neither a leased lock nor a 1-hour lock', async () => {
    const { dir, options } = await kind.open();
    const env = { ACTOR_STORE_OPTIONS: JSON.stringify(options) };
    const holder = spawnActor(dir, [
      // Kept alive by this process with a 60 s lease...
      { op: 'acquire', agent: 'leased', paths: ['a/**'], owner: { pid: 'self', leaseMs: 60_000 } },
      // ...and one without owner or lease: the 1-hour rule.
      { op: 'acquire', agent: 'hourly', paths: ['b/**'], owner: 'none' },
      { op: 'hold' },
    ], env);
    await holder.line((l) => l.op === 'acquire' && (l.result as { locks: LockRecord[] }).locks[0]?.agent_id === 'hourly');
    for (const offset of [HOUR + 60_000, -(HOUR + 60_000)]) {
      const { lines } = await runActor(dir, [{ op: 'cleanup' }, { op: 'check', agent: 'other', paths: ['**'] }], { ...env, AGENTVISOR_TEST_CLOCK_OFFSET_MS: String(offset) });
      expect(resultOf<LockRecord[]>(lines, 'cleanup')).toEqual([]);
      expect(resultOf<ConflictRecord[]>(lines, 'check').map((c) => c.locked_by).sort()).toEqual(['hourly', 'leased']);
    }
    holder.child.stdin!.end();
    await holder.exited;
  });
});
