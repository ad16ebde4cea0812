// status_board.json under 8 concurrent writer processes: always a whole, valid JSON file while
// they run; every update present at the end; and it follows the lock files within a second.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BoardRecord, HistoryEntry } from '../../../src/index.js';
import { FileStore } from '../../../src/core/fs-store/file-store.js';
import { testDir } from '../../helpers/tempdir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { runActor, spawnActor, type Op } from './support.js';

const WRITERS = 8;
const ROUNDS = 15;

function writerOps(i: number): Op[] {
  const ops: Op[] = [];
  for (let n = 1; n <= ROUNDS; n++) {
    ops.push({ op: 'updateAgent', agent: `w${i}`, patch: { status: 'running', restarts: n, files: [`f/${i}/${n}`] } });
    ops.push({ op: 'acquire', agent: `w${i}`, paths: [`p/${i}/${n}`] });
    if (n < ROUNDS) ops.push({ op: 'release', agent: `w${i}`, paths: [`p/${i}/${n}`] });
  }
  return ops;
}

describe('the status board', () => {
  it('stays valid JSON under 8 concurrent writers and ends with every update', async () => {
    const dir = join(testDir(), 'locks');
    const writers = Array.from({ length: WRITERS }, (_, i) => spawnActor(dir, writerOps(i)));
    for (const w of writers) w.child.stdin!.end();
    let running = true;
    const done = Promise.all(writers.map((w) => w.exited)).finally(() => (running = false));
    let reads = 0;
    const invalid: string[] = [];
    while (running) {
      try {
        const text = readFileSync(join(dir, 'status_board.json'), 'utf8');
        reads += 1;
        try {
          JSON.parse(text);
        } catch {
          invalid.push(text);
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const ends = await done;
    ends.forEach((end, i) => expect(end.code, writers[i]!.stderr()).toBe(0));
    expect(invalid).toEqual([]);
    expect(reads).toBeGreaterThan(0);

    const board = JSON.parse(readFileSync(join(dir, 'status_board.json'), 'utf8')) as BoardRecord;
    for (let i = 0; i < WRITERS; i++) {
      expect(board.agents[`w${i}`]).toMatchObject({ status: 'running', restarts: ROUNDS, files: [`f/${i}/${ROUNDS}`] });
    }
    const history = readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HistoryEntry);
    for (let i = 0; i < WRITERS; i++) {
      expect(history.filter((h) => h.agent_id === `w${i}` && h.event === 'locked')).toHaveLength(ROUNDS);
      expect(history.filter((h) => h.agent_id === `w${i}` && h.event === 'released')).toHaveLength(ROUNDS - 1);
    }
  });

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

  it('keeps history bounded: trimmed to the newest entries, the board shows the last 200', async () => {
    const dir = join(testDir(), 'locks');
    const store = new FileStore({ dir });
    const entries = Array.from({ length: 6000 }, (_, i) => ({ at: new Date().toISOString(), agent_id: 'a', file_path: `f/${i}`, event: 'locked' as const }));
    for (let i = 0; i < entries.length; i += 500) await store.appendHistory(entries.slice(i, i + 500));
    const lines = readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n');
    // Trimmed past 256 KB to the newest 500, then grown again by later batches.
    expect(lines.length).toBeLessThan(3500);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ file_path: 'f/5999' });
    const board = await store.board();
    expect(board.history).toHaveLength(200);
    expect(board.history.at(-1)).toMatchObject({ file_path: 'f/5999' });
    expect(board.history[0]).toMatchObject({ file_path: 'f/5800' });
    await store.close();
  });
});
