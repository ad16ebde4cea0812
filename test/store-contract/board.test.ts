// The board on both stores: 8 processes updating agents and taking and releasing locks at once end
// with every update and every history entry (on files, status_board.json is a whole, valid JSON
// file all the while); history is bounded, the board showing the newest 200; a record handed out
// is a copy.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { LockOwner, LockRecord } from '../../src/index.js';
import { spawnActor, type Op } from '../core/store/support.js';
import { forEachStore } from '../helpers/stores.js';

const WRITERS = 8;
// 8 × (8 locks + 7 releases) = 120 history entries: all within the newest 200 the board shows.
const ROUNDS = 8;

function writerOps(i: number): Op[] {
  const ops: Op[] = [];
  for (let n = 1; n <= ROUNDS; n++) {
    ops.push({ op: 'updateAgent', agent: `w${i}`, patch: { status: 'running', restarts: n, files: [`f/${i}/${n}`] } });
    ops.push({ op: 'acquire', agent: `w${i}`, paths: [`p/${i}/${n}`] });
    if (n < ROUNDS) ops.push({ op: 'release', agent: `w${i}`, paths: [`p/${i}/${n}`] });
  }
  return ops;
}

/** While `running()`, reads status_board.json (the file store's) and keeps the texts that do not parse. */
async function invalidBoardFiles(dir: string, running: () => boolean): Promise<{ reads: number; invalid: string[] }> {
  let reads = 0;
  const invalid: string[] = [];
  while (running()) {
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
  return { reads, invalid };
}

forEachStore((kind) => {
  it('8 concurrent writers: the board ends with every update and every history entry', async () => {
    const { store, dir, options } = await kind.open();
    const writers = Array.from({ length: WRITERS }, (_, i) => spawnActor(dir, writerOps(i), { ACTOR_STORE_OPTIONS: JSON.stringify(options) }));
    for (const w of writers) w.child.stdin!.end();
    let running = true;
    const done = Promise.all(writers.map((w) => w.exited)).finally(() => (running = false));
    // On files the board is a file other processes read at any moment: never torn.
    const watched = kind.name === 'file' ? invalidBoardFiles(dir, () => running) : null;
    const ends = await done;
    ends.forEach((end, i) => expect(end.code, writers[i]!.stderr()).toBe(0));
    if (watched) expect(await watched).toMatchObject({ reads: expect.any(Number), invalid: [] });

    const board = await store.board();
    for (let i = 0; i < WRITERS; i++) {
      expect(board.agents[`w${i}`]).toMatchObject({ status: 'running', restarts: ROUNDS, files: [`f/${i}/${ROUNDS}`] });
    }
    for (let i = 0; i < WRITERS; i++) {
      expect(board.history.filter((h) => h.agent_id === `w${i}` && h.event === 'locked')).toHaveLength(ROUNDS);
      expect(board.history.filter((h) => h.agent_id === `w${i}` && h.event === 'released')).toHaveLength(ROUNDS - 1);
    }
  });

  it('history is bounded: the board shows the newest 200 entries', async () => {
    const { store } = await kind.open();
    const entries = Array.from({ length: 1200 }, (_, i) => ({ at: new Date().toISOString(), agent_id: 'a', file_path: `f/${i}`, event: 'locked' as const }));
    for (let i = 0; i < entries.length; i += 400) await store.appendHistory(entries.slice(i, i + 400));
    const board = await store.board();
    expect(board.history).toHaveLength(200);
    expect(board.history.at(-1)).toMatchObject({ file_path: 'f/1199' });
    expect(board.history[0]).toMatchObject({ file_path: 'f/1000' });
  });

  it('a record handed out is a copy: changing it changes nothing the store reads next', async () => {
    const { store } = await kind.open();
    const owner: LockOwner = { pid: process.pid, leaseMs: null };
    await store.acquire({ agentId: 'a', paths: [{ path: 'q', mode: 'exclusive' }], owner });
    const [lock] = await store.listLocks();
    (lock as LockRecord).file_path = 'changed';
    expect((await store.listLocks()).map((l) => l.file_path)).toEqual(['q']);
  });
});
