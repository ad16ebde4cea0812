// send and inbox through the built CLI, on both stores: delivery before the agent starts, oldest
// first, exactly once, --peek, broadcast, unknown targets, --end, the sender's identity, and
// --follow; on files, an inbox on a missing coordination dir creates nothing.

import { describe, expect, it } from 'vitest';
import type { BoardRecord, MessageRecord } from '../../src/core/records.js';
import { waitFor } from '../helpers/wait-for.js';
import { forEachStore } from '../helpers/stores.js';
import { cli, coordinationDirExists, json, onStore, project } from './support.js';

forEachStore((kind) => describe('send / inbox', () => {
  it('delivers oldest first, exactly once, --peek leaves them; * reaches every other known agent', async () => {
    const { cli } = onStore(kind.name);
    const root = project(['api', 'web', 'rev']);
    // api has never run: the message waits in its inbox.
    expect((await cli(root, ['send', 'api', 'first', '--from', 'web'])).code).toBe(0);
    const second = await cli(root, ['send', 'api', 'please', 'release', 'src/**', '--agent', 'web', '--type', 'handoff']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('sent handoff to api');

    const peeked = await cli(root, ['inbox', '--agent', 'api', '--peek', '--json']);
    expect(peeked.code).toBe(0);
    const records = json<MessageRecord[]>(peeked);
    expect(records.map((m) => [m.from, m.to, m.type, m.message])).toEqual([
      ['web', 'api', 'note', 'first'],
      ['web', 'api', 'handoff', 'please release src/**'],
    ]);
    expect(records.every((m) => typeof m.id === 'string' && !Number.isNaN(Date.parse(m.timestamp)))).toBe(true);

    const read = await cli(root, ['inbox'], { env: { AGENT_ID: 'api' } });
    expect(read.code).toBe(0);
    expect(read.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^web \(note, \d\d:\d\d:\d\d\): first$/),
      expect.stringMatching(/^web \(handoff, \d\d:\d\d:\d\d\): please release src\/\*\*$/),
    ]);
    const again = await cli(root, ['inbox', '--agent', 'api', '--json']);
    expect(json(again)).toEqual([]);

    const broadcast = await cli(root, ['send', '*', 'rebase on main'], { env: { AGENT_ID: 'api' } });
    expect(broadcast.code, broadcast.stderr).toBe(0);
    for (const id of ['web', 'rev']) {
      expect(json<MessageRecord[]>(await cli(root, ['inbox', '--agent', id, '--json'])).map((m) => [m.from, m.message])).toEqual([['api', 'rebase on main']]);
    }
    expect(json(await cli(root, ['inbox', '--agent', 'api', '--json']))).toEqual([]);
  });

  it('refuses an unknown agent with 2 and writes nothing; without a sender it warns and sends as unknown_agent', async () => {
    const { cli } = onStore(kind.name);
    const root = project(['api']);
    const unknown = await cli(root, ['send', 'nobody', 'hi', '--from', 'api']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"nobody"');
    if (kind.name === 'file') expect(coordinationDirExists(root)).toBe(false);
    else expect(json<BoardRecord>(await cli(root, ['status', '--json']))).toMatchObject({ pending_messages: {}, history: [], messages: [] });

    const anonymous = await cli(root, ['send', 'api', 'who am i']);
    expect(anonymous.code).toBe(0);
    expect(anonymous.stderr).toContain('unknown_agent');
    expect(json<MessageRecord[]>(await cli(root, ['inbox', '--agent', 'api', '--json']))[0]).toMatchObject({ from: 'unknown_agent' });

    // With a coordination dir, still refused, still nothing delivered anywhere.
    expect((await cli(root, ['send', 'nobody', 'hi', '--from', 'api'])).code).toBe(2);
    expect((await cli(root, ['send', 'api', '--from', 'api'])).code).toBe(2);
    expect((await cli(root, ['send', 'api', 'x', '--type', 'shout', '--from', 'api'])).code).toBe(2);
    expect((await cli(root, ['send', 'api', 'x', '--end', '--from', 'api'])).code).toBe(2);
    expect(json(await cli(root, ['inbox', '--agent', 'api', '--json']))).toEqual([]);

    const ended = await cli(root, ['send', 'api', '--end', '--from', 'api']);
    expect(ended.code, ended.stderr).toBe(0);

    // A lock holder is on the board, so the handoff a conflict suggests can be sent.
    expect((await cli(root, ['lock', 'a.txt', '--agent', 'adhoc'])).code).toBe(0);
    const handoff = await cli(root, ['send', 'adhoc', '--type', 'handoff', 'please release a.txt', '--from', 'api']);
    expect(handoff.code, handoff.stderr).toBe(0);
  });

  it('inbox --follow prints messages that arrive after it started, until interrupted', async () => {
    const { cli, start } = onStore(kind.name);
    const root = project(['api', 'web']);
    expect((await cli(root, ['send', 'api', 'before', '--from', 'web'])).code).toBe(0);
    const follower = start(root, ['inbox', '--agent', 'api', '--follow', '--json']);
    await waitFor(() => follower.stdout().includes('"before"'), { what: 'the message sent before --follow' });
    expect((await cli(root, ['send', 'api', 'after', '--from', 'web'])).code).toBe(0);
    await waitFor(() => follower.stdout().includes('"after"'), { what: 'the message sent during --follow' });
    follower.child.kill('SIGINT');
    expect(await follower.exited).toBe(0);
    const lines = follower.stdout().trimEnd().split('\n').map((l) => JSON.parse(l) as MessageRecord);
    expect(lines.map((m) => m.message)).toEqual(['before', 'after']);
    // Consumed as they were printed.
    expect(json(await cli(root, ['inbox', '--agent', 'api', '--json']))).toEqual([]);
  });
}));

// File-only: the coordination dir.
describe('inbox on files', () => {
  it('inbox on a missing coordination dir prints nothing and creates nothing', async () => {
    const root = project(['api']);
    const empty = await cli(root, ['inbox', '--agent', 'api']);
    expect([empty.code, empty.stdout]).toEqual([0, '']);
    expect(coordinationDirExists(root)).toBe(false);
  });
});
