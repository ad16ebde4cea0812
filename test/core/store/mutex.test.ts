// The critical section's mutex in the cases that break a naive one: the coordination dir deleted
// and made again while a process is inside (a new inode), and a holder stopped inside (SIGSTOP).

import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AcquireResult } from '../../../src/index.js';
import { testDir } from '../../helpers/tempdir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { resultOf, spawnActor, staysFalse } from './support.js';

describe('the coordination dir deleted and made again while a process is inside', () => {
  it('still excludes: a process that sees the new dir waits for the one inside the old', async () => {
    const root = testDir();
    const dir = join(root, 'locks');
    const release = join(root, 'go');
    const inside = spawnActor(dir, [{ op: 'acquire', agent: 'a', paths: ['x'] }], { AGENTVISOR_FAULTS: 'acquire.in-mutex=pause', AGENTVISOR_FAULT_RELEASE: release });
    inside.child.stdin!.end();
    await waitFor(() => existsSync(`${release}.paused`), { what: 'the first process inside the mutex' });
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);

    const next = spawnActor(dir, [{ op: 'ready' }, { op: 'acquire', agent: 'b', paths: ['y'] }]);
    next.child.stdin!.end();
    await next.line((l) => l.op === 'ready');
    expect(await staysFalse(() => next.lines.some((l) => l.op === 'acquire'), 400)).toBe(true);

    writeFileSync(release, '');
    const ends = await Promise.all([inside.exited, next.exited]);
    expect(ends.map((e) => e.code)).toEqual([0, 0]);
    expect(resultOf<AcquireResult>(next.lines, 'acquire').granted).toBe(true);
  });
});
