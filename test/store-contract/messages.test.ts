// Messages on both stores: oldest first, each returned once (also to two processes reading at
// once), peek, broadcast, unknown targets, end markers in order, claims settled or put back, the
// board's pending counts, and watchInbox telling of a message another process sends.

import { expect, it } from 'vitest';
import type { InboxEntry, MessageRecord } from '../../src/index.js';
import { resultOf, runActor } from '../core/store/support.js';
import { forEachStore } from '../helpers/stores.js';
import { waitFor } from '../helpers/wait-for.js';

const label = (entries: InboxEntry[]) => entries.map((e) => (e.kind === 'end' ? 'END' : e.record.message));

forEachStore((kind) => {
  it('oldest first, peek leaves them, reading takes them once; the record has the contract fields', async () => {
    const { store } = await kind.open();
    for (const message of ['1', '2', '3']) await store.send({ from: 'a', to: 'b', type: 'note', message });
    const peeked = await store.readMessages('b', { peek: true });
    expect(peeked.map((m) => m.message)).toEqual(['1', '2', '3']);
    expect(Object.keys(peeked[0]!).sort()).toEqual(['from', 'id', 'message', 'timestamp', 'to', 'type']);
    expect((await store.board()).pending_messages).toEqual({ b: 3 });
    const read = await store.readMessages('b');
    expect(read).toEqual(peeked);
    expect(new Set(read.map((m) => m.id)).size).toBe(3);
    expect(await store.readMessages('b')).toEqual([]);
    expect((await store.board()).pending_messages).toEqual({});
  });

  it('two processes reading one inbox at once get each message exactly once', async () => {
    const { store, dir, options } = await kind.open();
    for (let i = 0; i < 60; i++) await store.send({ from: 'a', to: 'b', type: 'note', message: String(i) });
    const env = { ACTOR_STORE_OPTIONS: JSON.stringify(options) };
    const readers = await Promise.all([0, 1].map(() => runActor(dir, [{ op: 'read', agent: 'b' }], env)));
    const got = readers.flatMap((r) => resultOf<MessageRecord[]>(r.lines, 'read').map((m) => Number(m.message)));
    expect(got.sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('* reaches every known agent but the sender; an unknown target can be refused; a bad type is refused', async () => {
    const { store } = await kind.open();
    await store.updateAgent('api', { status: 'running' });
    await store.updateAgent('web', { status: 'running' });
    await store.send({ from: 'x', to: 'later', type: 'note', message: 'waits for its agent' });
    const sent = await store.send({ from: 'api', to: '*', type: 'status', message: 'hello' });
    expect(sent.map((m) => m.to).sort()).toEqual(['later', 'web']);
    expect(await store.knownAgents()).toEqual(['api', 'later', 'web']);
    await expect(store.send({ from: 'a', to: 'nobody', type: 'note', message: 'x', requireKnownTarget: true })).rejects.toMatchObject({ code: 'UNKNOWN_AGENT' });
    await expect(store.send({ from: 'a', to: 'b', type: 'shout' as 'note', message: 'x' })).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
  });

  it('an end marker keeps its place: readMessages skips it, takeInbox stops at it and leaves what follows', async () => {
    const { store } = await kind.open();
    await store.send({ from: 'a', to: 'b', type: 'note', message: 'before' });
    await store.sendEnd('b', 'a');
    await store.send({ from: 'a', to: 'b', type: 'note', message: 'after' });
    expect((await store.readMessages('b', { peek: true })).map((m) => m.message)).toEqual(['before', 'after']);
    expect(label(await store.takeInbox('b'))).toEqual(['before', 'END']);
    expect((await store.readMessages('b', { peek: true })).map((m) => m.message)).toEqual(['after']);
    expect(label(await store.takeInbox('b'))).toEqual(['after']);
    expect(await store.takeInbox('b')).toEqual([]);
  });

  it('a claim settles what was delivered and puts the rest back, in order; an unsettled claim of this process returns at the next take', async () => {
    const { store } = await kind.open();
    for (const message of ['1', '2', '3']) await store.send({ from: 'a', to: 'b', type: 'note', message });
    const claim = await store.claimInbox('b');
    expect(claim.entries).toHaveLength(3);
    expect(await store.readMessages('b', { peek: true })).toEqual([]);
    expect((await store.board()).pending_messages).toEqual({ b: 3 });
    await claim.settle(1);
    expect((await store.readMessages('b', { peek: true })).map((m) => m.message)).toEqual(['2', '3']);
    expect((await store.board()).pending_messages).toEqual({ b: 2 });
    const second = await store.claimInbox('b', { ends: 'skip' });
    expect(label(second.entries)).toEqual(['2', '3']);
    await second.settle(2);
    expect(await store.readMessages('b')).toEqual([]);
  });

  it('a claimer that dies before settling loses nothing: the next reader gets the messages, in order', async () => {
    const { store, dir, options } = await kind.open();
    for (const message of ['m1', 'm2']) await store.send({ from: 'a', to: 'b', type: 'note', message });
    const env = { ACTOR_STORE_OPTIONS: JSON.stringify(options), AGENTVISOR_FAULTS: 'inbox.claimed=kill' };
    const killed = await runActor(dir, [{ op: 'claim', agent: 'b' }], env);
    expect(killed.signal).toBe('SIGKILL');
    expect((await store.readMessages('b', { peek: true })).map((m) => m.message)).toEqual(['m1', 'm2']);
    expect((await store.readMessages('b')).map((m) => m.message)).toEqual(['m1', 'm2']);
  });

  it('watchInbox tells of a message another process sends', async () => {
    const { store, dir, options } = await kind.open();
    let told = 0;
    const stop = await store.watchInbox('b', () => (told += 1));
    await runActor(dir, [{ op: 'send', from: 'a', to: 'b', message: 'ping' }], { ACTOR_STORE_OPTIONS: JSON.stringify(options) });
    await waitFor(() => told > 0, { what: 'the watcher to fire' });
    await stop();
    expect((await store.readMessages('b')).map((m) => m.message)).toEqual(['ping']);
  });
});
