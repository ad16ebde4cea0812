// File-only: fault steps of the file store's file I/O.
// ENOSPC, EIO and EACCES injected at each file step of an acquisition (real failures thrown where
// the real fs call would be, not mocks): the acquisition rejects with STORE_IO naming the step and
// errno, grants nothing, leaves no temp or txn file, and the critical section is free again.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AcquireResult, LockRecord } from '../../../src/index.js';
import { testDir } from '../../helpers/tempdir.js';
import { listing, runActor, type Line } from './support.js';

// The steps an acquisition of several paths goes through, and which hit of each to fail: the
// second lock file, so that one is already in place when the failure comes.
const STEPS = ['mutex.enter:1', 'txn.write:1', 'lock-file.write:2', 'lock-file.link:2', 'acquire.after-lock-file:1', 'txn.unlink:1', 'counters.write:1', 'history.append:1'];
const ERRNOS = ['ENOSPC', 'EIO', 'EACCES'];
const PATHS = ['src/a.ts', 'src/b.ts', 'lib/**'];

async function failAt(stepAndHit: string, errno: string): Promise<{ lines: Line[]; dir: string }> {
  const dir = join(testDir(), 'locks');
  const ops = [
    { op: 'acquire', agent: 'a', paths: PATHS, continueOnError: true },
    { op: 'list' },
    // The fault fires once: the same request now goes through, so nothing was left behind.
    { op: 'acquire', agent: 'b', paths: PATHS },
  ];
  const { lines, code } = await runActor(dir, ops, { AGENTVISOR_FAULTS: `${stepAndHit}=errno:${errno}` });
  expect(code).toBe(1);
  return { lines, dir };
}

describe('an injected I/O error at each file step of an acquisition', () => {
  for (const stepAndHit of STEPS) {
    it(`${stepAndHit.split(':')[0]}: fails cleanly with each of ${ERRNOS.join(', ')}`, async () => {
      const step = stepAndHit.split(':')[0];
      const runs = await Promise.all(ERRNOS.map((errno) => failAt(stepAndHit, errno)));
      runs.forEach(({ lines, dir }, i) => {
        const [failed, list, retry] = lines;
        expect(failed?.error?.code).toBe('STORE_IO');
        expect(failed?.error?.facts).toMatchObject({ step, errno: ERRNOS[i] });
        expect(failed?.error?.message).toContain(ERRNOS[i]);
        expect(list?.result as LockRecord[]).toEqual([]);
        expect((retry?.result as AcquireResult).granted).toBe(true);
        const left = listing(dir);
        expect(left.temps).toEqual([]);
        expect(left.txns).toEqual([]);
        expect(left.locks).toHaveLength(PATHS.length);
      });
    });
  }
});
