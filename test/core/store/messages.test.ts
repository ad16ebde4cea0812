// Inboxes: oldest first, each message returned once (also to two processes reading at once),
// peek, broadcast to every known agent but the sender, end markers in order, claims, pending counts.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../../../src/core/fs-store/file-store.js';
import type { InboxEntry, MessageRecord } from '../../../src/index.js';
import { testDir } from '../../helpers/tempdir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { resultOf, runActor } from './support.js';

function open(): { store: FileStore; dir: string } {
  const dir = join(testDir(), 'locks');
  return { store: new FileStore({ dir }), dir };
}

describe('messages', () => {
  it('oldest first, peek leaves them, reading takes them once', async () => {
    const { store } = open();
    for (const message of ['1', '2', '3']) await store.send({ from: 'a', to: 'b', type: 'note', message });
    expect((await store.readMessages('b', { peek: true })).map((m) => m.message)).toEqual(['1', '2', '3']);
    expect((await store.board()).pending_messages).toEqual({ b: 3 });
    const read = await store.readMessages('b');
    expect(read.map((m) => m.message)).toEqual(['1', '2', '3']);
    expect(new Set(read.map((m) => m.id)).size).toBe(3);
    expect(await store.readMessages('b')).toEqual([]);
    expect((await store.board()).pending_messages).toEqual({});
    await store.close();
  });

  it('two processes reading one inbox at once get each message exactly once', async () => {
    const { store, dir } = open();
    for (let i = 0; i < 60; i++) await store.send({ from: 'a', to: 'b', type: 'note', message: String(i) });
    const readers = await Promise.all([0, 1].map(() => runActor(dir, [{ op: 'read', agent: 'b' }])));
    const got = readers.flatMap((r) => resultOf<MessageRecord[]>(r.lines, 'read').map((m) => Number(m.message)));
    expect(got.sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    await store.close();
  });

  it('* reaches every known agent but the sender; an unknown target can be refused', async () => {
    const { store } = open();
    await store.updateAgent('api', { status: 'running' });
    await store.updateAgent('web', { status: 'running' });
    await store.send({ from: 'x', to: 'later', type: 'note', message: 'waits for its agent' });
    const sent = await store.send({ from: 'api', to: '*', type: 'status', message: 'hello' });
    expect(sent.map((m) => m.to).sort()).toEqual(['later', 'web']);
    expect(await store.knownAgents()).toEqual(['api', 'later', 'web']);
    await expect(store.send({ from: 'a', to: 'nobody', type: 'note', message: 'x', requireKnownTarget: true })).rejects.toMatchObject({ code: 'UNKNOWN_AGENT' });
    await expect(store.send({ from: 'a', to: 'b', type: 'shout' as 'note', message: 'x' })).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
    await store.close();
  });

  it('an end marker keeps its place: readMessages skips it, takeInbox stops at it and leaves what follows for the next take', async () => {
    const { store } = open();
    await store.send({ from: 'a', to: 'b', type: 'note', message: 'before' });
    await store.sendEnd('b', 'a');
    await store.send({ from: 'a', to: 'b', type: 'note', message: 'after' });
    expect((await store.readMessages('b', { peek: true })).map((m) => m.message)).toEqual(['before', 'after']);
    const label = (entries: InboxEntry[]) => entries.map((e) => (e.kind === 'end' ? 'END' : e.record.message));
    expect(label(await store.takeInbox('b'))).toEqual(['before', 'END']);
    expect((await store.readMessages('b', { peek: true })).map((m) => m.message)).toEqual(['after']);
    expect(label(await store.takeInbox('b'))).toEqual(['after']);
    expect(await store.takeInbox('b')).toEqual([]);
    await store.close();
  });

  it('a claim settles what was delivered and puts the rest back, in order', async () => {
    const { store } = open();
    for (const message of ['1', '2', '3']) await store.send({ from: 'a', to: 'b', type: 'note', message });
    const claim = await store.claimInbox('b');
    expect(claim.entries).toHaveLength(3);
    // In flight: hidden from other readers, still counted as pending.
    expect(await store.readMessages('b', { peek: true })).toEqual([]);
    expect((await store.board()).pending_messages).toEqual({ b: 3 });
    await claim.settle(1);
    expect((await store.readMessages('b')).map((m) => m.message)).toEqual(['2', '3']);
    expect((await store.board()).pending_messages).toEqual({});
    await store.close();
  });

  it('watchInbox tells of a message another process delivers', async () => {
    const { store, dir } = open();
    let told = 0;
    const stop = await store.watchInbox('b', () => (told += 1));
    await runActor(dir, [{ op: 'send', from: 'a', to: 'b', message: 'ping' }]);
    await waitFor(() => told > 0, { what: 'the watcher to fire' });
    await stop();
    expect((await store.readMessages('b')).map((m) => m.message)).toEqual(['ping']);
    await store.close();
  });

  it('watchInbox ignores only the inbox\'s own read/ folder: agent "reader", in a dir under a folder named "read"', async () => {
    const dir = join(testDir(), 'read', '.tmpdir', 'locks');
    const store = new FileStore({ dir });
    let told = 0;
    const stop = await store.watchInbox('reader', () => (told += 1));
    await runActor(dir, [{ op: 'send', from: 'a', to: 'reader', message: 'live' }]);
    await waitFor(() => told > 0, { what: 'the watcher of "reader" to fire' });
    // Consumed into reader/read/; the watcher keeps telling of new arrivals.
    expect((await store.readMessages('reader')).map((m) => m.message)).toEqual(['live']);
    const before = told;
    await runActor(dir, [{ op: 'send', from: 'a', to: 'reader', message: 'again' }]);
    await waitFor(() => told > before, { what: 'the watcher to fire for the second message' });
    await stop();
    expect((await store.readMessages('reader')).map((m) => m.message)).toEqual(['again']);
    await store.close();
  });
});
