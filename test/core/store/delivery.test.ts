// Messages are not lost between taking and delivering: a reader killed after taking them, an
// agent whose stdin is gone when they are written, and messages queued behind an end marker all
// stay unread for the next reader.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../../../src/core/fs-store/file-store.js';
import { InboxFeeder } from '../../../src/supervisor/inbox-feeder.js';
import type { MessageRecord } from '../../../src/index.js';
import { guardProject, LOCK_DIR } from '../../guard/support.js';
import { runCli } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/wait-for.js';

async function project(messages: (string | 'END')[]): Promise<{ root: string; store: FileStore }> {
  const root = guardProject();
  const store = new FileStore({ dir: join(root, LOCK_DIR) });
  for (const message of messages) {
    if (message === 'END') await store.sendEnd('b', 'boss');
    else await store.send({ from: 'boss', to: 'b', type: 'note', message });
  }
  return { root, store };
}

const unread = async (store: FileStore) => (await store.readMessages('b', { peek: true })).map((m) => m.message);

describe('no message lost between taking and delivering', () => {
  it('`inbox` killed after taking the messages, before printing them: the next `inbox` prints them, in order', async () => {
    const { root, store } = await project(['m1', 'm2', 'm3']);
    const killed = await runCli(['inbox', '--agent', 'b'], { cwd: root, env: { AGENTVISOR_FAULTS: 'inbox.claimed=kill' } });
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).toBe('');
    // Its claims count as unread (the claimer is dead) before anyone takes them back...
    expect(await unread(store)).toEqual(['m1', 'm2', 'm3']);
    const next = await runCli(['inbox', '--agent', 'b', '--json'], { cwd: root });
    expect(next.code, next.stderr).toBe(0);
    expect((JSON.parse(next.stdout) as MessageRecord[]).map((m) => m.message)).toEqual(['m1', 'm2', 'm3']);
    // ...and, once printed, are read.
    expect(JSON.parse((await runCli(['inbox', '--agent', 'b', '--json'], { cwd: root })).stdout)).toEqual([]);
    await store.close();
  });

  it('an agent whose stdin is gone when its messages are written: they go back to the inbox', async () => {
    const { store } = await project(['m1', 'm2']);
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
    await store.close();
  });

  it('send m1, --end, m2 to a stdin agent: it gets m1 and EOF; m2 waits in the inbox for its next run', async () => {
    const { root, store } = await project(['m1', 'END', 'm2']);
    const run = await runCli(['exec', '--agent', 'b', '--messages', 'stdin', '--', 'cat'], { cwd: root, timeoutMs: 20_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('boss: m1\n');
    expect(await unread(store)).toEqual(['m2']);
    const again = await runCli(['exec', '--agent', 'b', '--messages', 'stdin', '--', 'head', '-n', '1'], { cwd: root, timeoutMs: 20_000 });
    expect(again.stdout).toBe('boss: m2\n');
    await store.close();
  });
});
