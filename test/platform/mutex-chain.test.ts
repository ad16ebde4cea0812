// The store's mutex (a chain of socket files, src/platform/socket-mutex.ts) between processes that
// look at the system differently: portable ones (AGENTVISOR_PORTABLE=1) and Linux ones on one
// coordination dir meet in the one mechanism. An independent witness (enter/exit lines appended
// inside the section) shows no two sections overlapping; a holder SIGKILLed inside lets the other
// kind in; a socket path Node would truncate is refused.

import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AcquireResult } from '../../src/index.js';
import { checkSocketPath, socketPathLimit, socketRoot } from '../../src/platform/socket-dir.js';
import { SocketChain } from '../../src/platform/socket-mutex.js';
import { testDir } from '../helpers/tempdir.js';
import { waitFor } from '../helpers/wait-for.js';
import { mutexHeld, resultOf, spawnActor, spawnFixture } from '../core/store/support.js';

interface Section {
  name: string;
  enter: bigint;
  exit: bigint;
}

function sections(witness: string): Section[] {
  const open = new Map<string, bigint>();
  const found: Section[] = [];
  for (const line of readFileSync(witness, 'utf8').split('\n')) {
    const [kind, name, at] = line.split(' ');
    if (!kind || !name || !at) continue;
    if (kind === 'enter') open.set(name, BigInt(at));
    else found.push({ name, enter: open.get(name)!, exit: BigInt(at) });
  }
  return found;
}

function overlaps(list: Section[]): number {
  const sorted = [...list].sort((a, b) => (a.enter < b.enter ? -1 : 1));
  let count = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.enter < sorted[i - 1]!.exit) count++;
  return count;
}

describe('the socket-file mutex across processes of both kinds', () => {
  it('the witness check sees an overlap when there is one', () => {
    expect(overlaps([{ name: 'a', enter: 0n, exit: 10n }, { name: 'b', enter: 5n, exit: 15n }])).toBe(1);
    expect(overlaps([{ name: 'a', enter: 0n, exit: 10n }, { name: 'b', enter: 10n, exit: 15n }])).toBe(0);
  });

  it('10 processes, half portable and half not, 150 sections each: never two inside at once', async () => {
    const root = testDir();
    const dir = join(root, 'locks');
    mkdirSync(dir);
    const witness = join(root, 'witness.log');
    const contenders = Array.from({ length: 10 }, (_, i) =>
      spawnFixture('mutex-contender.mjs', [dir, `p${i}`, '150', witness], { AGENTVISOR_PORTABLE: i % 2 ? '1' : '0' }),
    );
    for (const contender of contenders) contender.child.stdin!.end();
    const ends = await Promise.all(contenders.map((c) => c.exited));
    ends.forEach((end, i) => expect(end, contenders[i]!.stderr()).toEqual({ code: 0, signal: null }));
    const seen = sections(witness);
    expect(seen).toHaveLength(1500);
    expect(overlaps(seen)).toBe(0);
  });

  for (const [holderKind, waiterKind] of [['0', '1'], ['1', '0']] as const) {
    it(`a ${holderKind === '1' ? 'portable' : 'Linux'} holder SIGKILLed inside lets a ${waiterKind === '1' ? 'portable' : 'Linux'} waiter in`, async () => {
      const root = testDir();
      const dir = join(root, 'locks');
      const release = join(root, 'go');
      const holder = spawnActor(dir, [{ op: 'acquire', agent: 'a', paths: ['x'] }], { AGENTVISOR_PORTABLE: holderKind, AGENTVISOR_FAULTS: 'acquire.in-mutex=pause', AGENTVISOR_FAULT_RELEASE: release });
      holder.child.stdin!.end();
      await waitFor(() => existsSync(`${release}.paused`) && mutexHeld(dir), { what: 'the holder inside the mutex' });
      const waiter = spawnActor(dir, [{ op: 'ready' }, { op: 'acquire', agent: 'b', paths: ['y'] }], { AGENTVISOR_PORTABLE: waiterKind });
      waiter.child.stdin!.end();
      await waiter.line((l) => l.op === 'ready');
      holder.child.kill('SIGKILL');
      expect((await holder.exited).signal).toBe('SIGKILL');
      expect((await waiter.exited).code, waiter.stderr()).toBe(0);
      expect(resultOf<AcquireResult>(waiter.lines, 'acquire').granted).toBe(true);
    });
  }
});

describe('where the sockets live', () => {
  it('a private per-user dir (0700, ours)', () => {
    const stat = statSync(socketRoot());
    expect(stat.mode & 0o077).toBe(0);
    expect(stat.uid).toBe(process.getuid!());
  });

  it('a socket path that Node would truncate is refused, not bound elsewhere', async () => {
    const limit = socketPathLimit();
    expect(checkSocketPath('/tmp/x'.padEnd(limit, 'x'))).toHaveLength(limit);
    expect(() => checkSocketPath('/tmp/x'.padEnd(limit + 1, 'x'))).toThrow(/would be truncated/);
    expect(socketPathLimit('darwin')).toBe(103);
    // A chain in a dir too deep for a socket path fails to take, naming the path.
    const deep = join(testDir(), 'd'.repeat(100));
    mkdirSync(deep);
    await expect(new SocketChain(deep).take(performance.now() + 1_000, () => new Error('busy'))).rejects.toThrow(/would be truncated/);
  });
});
