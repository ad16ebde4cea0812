// Telling live pids from dead ones with /proc/PID/stat: a pid whose start time differs is another
// process (the pid was reused), a zombie has exited; and the store reclaims locks naming either.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished } from 'vitest';
import { bootId, parseProcStat, pidState, processStart } from '../../src/core/liveness.js';
import { FileStore } from '../../src/core/fs-store/file-store.js';
import { testDir } from '../helpers/tempdir.js';
import { waitFor } from '../helpers/wait-for.js';
import { deadPid, lockRecord, writeLockFile } from './store/support.js';

/**
 * A real zombie: perl forks a child that exits at once, prints its pid, and sleeps without ever
 * waiting for it, so the child stays a zombie. (Not `sh -c 'sleep 0 & echo $!; exec sleep 30'`:
 * dash sometimes reaps the finished `sleep 0` before its exec, about 1 run in 300, and the pid is
 * then simply gone: ENOENT on /proc/PID/stat while waiting for a zombie that never comes.)
 */
async function zombie(): Promise<number> {
  const parent = spawn('perl', ['-e', '$p = fork; exit 0 unless $p; $| = 1; print "$p\\n"; sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  onTestFinished(() => {
    parent.kill('SIGKILL');
  });
  const line = await new Promise<string>((resolve) => createInterface({ input: parent.stdout! }).once('line', resolve));
  const pid = Number(line);
  await waitFor(() => parseProcStat(statText(pid))?.state === 'Z', { what: `pid ${pid} to become a zombie` });
  return pid;
}

function statText(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8');
}

describe('parseProcStat', () => {
  it('counts fields after the last ")", whatever the command name holds', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    const stat = parseProcStat(`42 (we) ird name) x) ${fields.join(' ')}`);
    expect(stat).toEqual({ state: 'S', start: 22 });
  });

  it('refuses text without a command name', () => {
    expect(parseProcStat('garbage')).toBeNull();
  });
});

describe('pidState', () => {
  it('this process is alive with its own start time, dead with another one (a reused pid)', () => {
    const start = processStart(process.pid);
    expect(start).toBeGreaterThan(0);
    expect(pidState(process.pid, start)).toBe('alive');
    expect(pidState(process.pid, start! + 1)).toBe('dead');
    expect(pidState(process.pid, null)).toBe('alive');
  });

  it('a pid that has exited is dead', async () => {
    expect(pidState(await deadPid(), null)).toBe('dead');
  });

  it('a zombie is dead, though kill(pid, 0) says it exists', async () => {
    const pid = await zombie();
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(pidState(pid, processStart(pid))).toBe('dead');
  });
});

describe('the store reclaims locks of dead holders on this host', () => {
  it('a reused pid (live pid, other start time) and a zombie; not a live one', async () => {
    const dir = join(testDir(), 'locks');
    const here = { boot_id: bootId() };
    const zombiePid = await zombie();
    writeLockFile(dir, 'reused.lock', lockRecord({ agent_id: 'reused', file_path: 'a', pid: process.pid, pid_start: processStart(process.pid)! - 1, ...here }));
    writeLockFile(dir, 'zombie.lock', lockRecord({ agent_id: 'zombie', file_path: 'b', pid: zombiePid, pid_start: processStart(zombiePid), ...here, token: 2 }));
    writeLockFile(dir, 'live.lock', lockRecord({ agent_id: 'live', file_path: 'c', pid: process.pid, pid_start: processStart(process.pid), ...here, token: 3 }));
    const store = new FileStore({ dir });
    const reclaimed = await store.cleanupStale();
    expect(reclaimed.map((l) => l.agent_id).sort()).toEqual(['reused', 'zombie']);
    expect((await store.listLocks()).map((l) => l.agent_id)).toEqual(['live']);
    await store.close();
  });
});
