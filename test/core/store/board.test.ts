// File-only: status_board.json, the file the file store writes its board to. It follows the lock
// files within a second, also from a process that exits right after a mutation; history.jsonl is
// trimmed; the board a process writes without the mutex as it exits never replaces a newer one.
// (8 concurrent writers, with the file read all the while, and the board's bounded history on both
// stores: test/store-contract/board.test.ts.)

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BoardRecord } from '../../../src/index.js';
import { FileStore } from '../../../src/core/fs-store/file-store.js';
import { testDir } from '../../helpers/tempdir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { runActor, spawnActor } from './support.js';

const readBoard = (dir: string) => JSON.parse(readFileSync(join(dir, 'status_board.json'), 'utf8')) as BoardRecord;

describe('the status board', () => {
  it('is written by a process that calls process.exit right after a mutation', async () => {
    const dir = join(testDir(), 'locks');
    // A board written just now: the next mutation schedules its rewrite instead of doing it at once.
    await runActor(dir, [{ op: 'acquire', agent: 'a', paths: ['w.ts'], owner: 'none' }, { op: 'flush' }]);
    const { code } = await runActor(dir, [{ op: 'acquire', agent: 'a', paths: ['x.ts'], owner: 'none' }, { op: 'exit' }]);
    expect(code).toBe(0);
    const board = JSON.parse(readFileSync(join(dir, 'status_board.json'), 'utf8')) as BoardRecord;
    expect(board.locks.map((l) => l.file_path)).toEqual(['w.ts', 'x.ts']);
  });

  it('shows a lock within a second, from a long-lived process that does nothing more', async () => {
    const dir = join(testDir(), 'locks');
    const store = new FileStore({ dir });
    const started = Date.now();
    await store.acquire({ agentId: 'a', paths: [{ path: 'x.ts', mode: 'exclusive' }], owner: { pid: process.pid, leaseMs: null } });
    await waitFor(
      () => {
        try {
          return (JSON.parse(readFileSync(join(dir, 'status_board.json'), 'utf8')) as BoardRecord).locks.some((l) => l.file_path === 'x.ts');
        } catch {
          return false;
        }
      },
      { timeoutMs: 1000, what: 'the board to show the lock' },
    );
    expect(Date.now() - started).toBeLessThan(1000);
    await store.close();
  });

  it('keeps history.jsonl bounded: trimmed to the newest entries', async () => {
    const dir = join(testDir(), 'locks');
    const store = new FileStore({ dir });
    const entries = Array.from({ length: 6000 }, (_, i) => ({ at: new Date().toISOString(), agent_id: 'a', file_path: `f/${i}`, event: 'locked' as const }));
    for (let i = 0; i < entries.length; i += 500) await store.appendHistory(entries.slice(i, i + 500));
    const lines = readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n');
    // Trimmed past 256 KB to the newest 500, then grown again by later batches.
    expect(lines.length).toBeLessThan(3500);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ file_path: 'f/5999' });
    await store.close();
  });

  it('written at exit without the mutex, never replaces the board of a mutation that came after it', async () => {
    const root = testDir();
    const dir = join(root, 'locks');
    const release = join(root, 'go');
    const stops = () => (existsSync(`${release}.paused`) ? readFileSync(`${release}.paused`, 'utf8').trim().split('\n').length : 0);
    // The exiting process stops at each rename of its exit-time board (a gate: one pass per opening).
    const exiting = spawnActor(dir, [{ op: 'ready' }, { op: 'hold' }, { op: 'updateAgent', agent: 'e', patch: { status: 'running' } }, { op: 'exit' }], {
      AGENTVISOR_FAULTS: 'board.rename=gate',
      AGENTVISOR_FAULT_RELEASE: release,
    });
    await exiting.line((l) => l.op === 'ready');
    // A board written just now: the exiting process's mutation leaves its board to the exit hook.
    const setup = new FileStore({ dir });
    await setup.updateAgent('setup', { status: 'running' });
    await setup.flushBoard();
    await setup.close();
    exiting.child.stdin!.end();
    let exited = false;
    void exiting.exited.then(() => (exited = true));
    // Each time it stands at the rename, another process commits a mutation and writes its board.
    let rounds = 0;
    try {
      while (!(await waitFor(() => (exited ? 'exited' : stops() > rounds ? 'stopped' : null), { what: 'the exiting process at its rename' }) === 'exited')) {
        rounds += 1;
        await runActor(dir, [{ op: 'updateAgent', agent: `w${rounds}`, patch: { status: 'running' } }, { op: 'flush' }]);
        writeFileSync(release, '');
      }
    } finally {
      if (!exited) exiting.child.kill('SIGKILL');
    }
    expect((await exiting.exited).code).toBe(0);
    expect(rounds).toBeGreaterThan(0);
    expect(Object.keys(readBoard(dir).agents).sort()).toEqual(['e', 'setup', ...Array.from({ length: rounds }, (_, i) => `w${i + 1}`)].sort());
  });
});
