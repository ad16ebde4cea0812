// Messages are not lost between taking and delivering, on both stores: `inbox` killed after taking
// them, an agent whose stdin is gone when they are written, messages queued behind an end marker,
// and a reader killed mid-delivery (a later message of the same sender waits for its claims): all
// stay unread for the next reader, in each sender's order.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { InboxFeeder } from '../../src/supervisor/inbox-feeder.js';
import type { MessageRecord, Store } from '../../src/index.js';
import { project } from '../cli/support.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { forEachStore, type StoreKind } from '../helpers/stores.js';
import { waitFor } from '../helpers/wait-for.js';

async function withMessages(kind: StoreKind, messages: (string | 'END')[]): Promise<{ root: string; store: Store; env: Record<string, string> }> {
  const root = project();
  const { store, env } = await kind.open();
  for (const message of messages) {
    if (message === 'END') await store.sendEnd('b', 'boss');
    else await store.send({ from: 'boss', to: 'b', type: 'note', message });
  }
  return { root, store, env };
}

const unread = async (store: Store) => (await store.readMessages('b', { peek: true })).map((m) => m.message);

forEachStore((kind) => {
  it('`inbox` killed after taking the messages, before printing them: the next `inbox` prints them, in order', async () => {
    const { root, store, env } = await withMessages(kind, ['m1', 'm2', 'm3']);
    const killed = await runCli(['inbox', '--agent', 'b'], { cwd: root, env: { ...env, AGENTVISOR_FAULTS: 'inbox.claimed=kill' } });
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).toBe('');
    // Its claims count as unread (the claimer is dead) before anyone takes them back...
    expect(await unread(store)).toEqual(['m1', 'm2', 'm3']);
    const next = await runCli(['inbox', '--agent', 'b', '--json'], { cwd: root, env });
    expect(next.code, next.stderr).toBe(0);
    expect((JSON.parse(next.stdout) as MessageRecord[]).map((m) => m.message)).toEqual(['m1', 'm2', 'm3']);
    // ...and, once printed, are read.
    expect(JSON.parse((await runCli(['inbox', '--agent', 'b', '--json'], { cwd: root, env })).stdout)).toEqual([]);
  });

  it('an agent whose stdin is gone when its messages are written: they go back to the inbox', async () => {
    const { store } = await withMessages(kind, ['m1', 'm2']);
    // Alive, but its end of the pipe is closed: the next write fails with EPIPE.
    const agent = spawn(process.execPath, ['-e', "require('fs').closeSync(0); process.stdout.write('closed\\n'); setInterval(() => {}, 1000)"], { stdio: ['pipe', 'pipe', 'ignore'] });
    try {
      let said = '';
      agent.stdout!.on('data', (d: Buffer) => (said += d.toString()));
      await waitFor(() => said.includes('closed'), { what: 'the agent to close its stdin' });
      expect(agent.stdin!.writable).toBe(true);
      const errors: unknown[] = [];
      const feeder = new InboxFeeder('b', agent.stdin!, 'text', store, (error) => errors.push(error));
      await feeder.pump();
      feeder.dispose();
      expect(errors).toEqual([]);
      expect(await unread(store)).toEqual(['m1', 'm2']);
    } finally {
      agent.kill('SIGKILL');
    }
  });

  it('send m1, --end, m2 to a stdin agent: it gets m1 and EOF; m2 waits in the inbox for its next run', async () => {
    const { root, store, env } = await withMessages(kind, ['m1', 'END', 'm2']);
    const run = await runCli(['exec', '--agent', 'b', '--messages', 'stdin', '--', 'cat'], { cwd: root, env, timeoutMs: 20_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('boss: m1\n');
    expect(await unread(store)).toEqual(['m2']);
    const again = await runCli(['exec', '--agent', 'b', '--messages', 'stdin', '--', 'head', '-n', '1'], { cwd: root, env, timeoutMs: 20_000 });
    expect(again.stdout).toBe('boss: m2\n');
  });

  it("a reader killed mid-delivery: a later message of the same sender waits for its claims; each sender's order is kept", async () => {
    const root = project();
    const { store, env } = await kind.open();
    for (const m of ['a1', 'a2', 'a3']) await store.send({ from: 'alice', to: 'bob', type: 'note', message: m });
    const release = join(root, 'release');
    const paused = spawnCli(['inbox', '--agent', 'bob'], { cwd: root, env: { ...env, AGENTVISOR_FAULTS: 'inbox.claimed=pause', AGENTVISOR_FAULT_RELEASE: release } });
    paused.stdin!.end();
    onTestFinished(() => void paused.kill('SIGKILL'));
    await waitFor(() => existsSync(`${release}.paused`), { what: 'the first reader paused with its claims' });
    await store.send({ from: 'alice', to: 'bob', type: 'note', message: 'a4' });
    await store.send({ from: 'carol', to: 'bob', type: 'note', message: 'c1' });
    const delivered: string[] = [];
    const read = async () => {
      const r = await runCli(['inbox', '--agent', 'bob', '--json'], { cwd: root, env });
      expect(r.code, r.stderr).toBe(0);
      delivered.push(...(JSON.parse(r.stdout) as MessageRecord[]).map((m) => m.message));
    };
    await read();
    paused.kill('SIGKILL');
    await new Promise((resolve) => paused.on('close', resolve));
    await read();
    // Every message once, and alice's in the order she sent them.
    expect([...delivered].sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'c1']);
    expect(delivered.filter((m) => m.startsWith('a'))).toEqual(['a1', 'a2', 'a3', 'a4']);
  });
});
