// Under AGENTVISOR_PORTABLE=1 no agentvisor process opens anything under /proc/PID/ and none binds
// or connects to an abstract socket: proven with `strace -f -e trace=openat,bind,connect,execve`
// on a lock, a run and a crash (the supervisor SIGKILLed, its watchdog cleaning up). What a helper
// program opens (ps reads /proc on Linux, as it must) is left out: a pid's lines count from its
// last execve, by the program it runs. What Node itself opens under /proc at start-up (its
// cgroup, its memory maps) is measured on a bare `node -e 0` and left out too.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../helpers/cli.js';
import { testDir } from '../helpers/tempdir.js';
import { waitFor } from '../helpers/wait-for.js';
import { fixture, guardProject, LOCK_DIR } from '../guard/support.js';
import { spawnActor } from '../core/store/support.js';

const HAVE_STRACE = spawnSync('strace', ['-V']).status === 0;
if (!HAVE_STRACE) {
  if (process.env.CI) throw new Error('strace is missing: the portable-path proof cannot run (CI is set, so this fails)');
  console.warn('SKIPPED LOUDLY: strace is missing, so the proof that portable processes never read /proc/PID is not run');
}

const TRACE = ['-f', '-qq', '-e', 'trace=openat,bind,connect,execve'];

interface Finding {
  pid: number;
  program: string;
  line: string;
}

/**
 * A process's own files (/proc/PID/, /proc/self/) and the machine-wide files agentvisor's Linux
 * path reads (boot id and time, the socket table, the inotify limit). V8 reading
 * /proc/sys/vm/overcommit_memory is the runtime's business, not ours.
 */
function forbidden(path: string): boolean {
  return /^\/proc\/(\d+|self|thread-self)\//.test(path) || ['/proc/stat', '/proc/uptime', '/proc/net/unix', '/proc/sys/kernel/random/boot_id', '/proc/sys/fs/inotify/max_user_watches'].includes(path);
}

/** Lines of node processes (agentvisor's) that open a forbidden /proc file beyond Node's own start-up, or touch an abstract socket. */
function findings(trace: string, baseline: Set<string>): Finding[] {
  const program = new Map<number, string>();
  const found: Finding[] = [];
  for (const line of readFileSync(trace, 'utf8').split('\n')) {
    const match = /^(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const pid = Number(match[1]);
    const call = match[2]!;
    const exec = /^execve\("([^"]+)"/.exec(call);
    if (exec) program.set(pid, basename(exec[1]!));
    const running = program.get(pid) ?? 'node';
    if (running !== 'node') continue;
    const opened = /^openat\([^,]+, "(\/proc\/[^"]*)"/.exec(call)?.[1];
    if (opened !== undefined && forbidden(opened) && !baseline.has(opened)) found.push({ pid, program: running, line: call });
    if (/^(bind|connect)\(.*sun_path=@/.test(call)) found.push({ pid, program: running, line: call });
  }
  return found;
}

function procPathsOpenedBy(trace: string): Set<string> {
  const paths = new Set<string>();
  for (const line of readFileSync(trace, 'utf8').split('\n')) {
    const opened = /openat\([^,]+, "(\/proc\/[^"]*)"/.exec(line)?.[1];
    if (opened) paths.add(opened);
  }
  return paths;
}

function traced(root: string, args: string[]): { run: Promise<number | null>; pid: () => number | null; trace: string } {
  const trace = join(root, `trace-${args[0]}.txt`);
  const child = spawn('strace', [...TRACE, '-o', trace, process.execPath, BIN, ...args], {
    cwd: root, env: cleanEnv({ AGENTVISOR_PORTABLE: '1' }), stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.resume();
  child.stderr!.resume();
  const run = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // The traced CLI is the first pid in the trace.
  const pid = () => (existsSync(trace) ? Number(/^(\d+)/.exec(readFileSync(trace, 'utf8'))?.[1] ?? 0) || null : null);
  return { run, pid, trace };
}

describe.skipIf(!HAVE_STRACE)('portable processes never read /proc/PID nor use abstract sockets', () => {
  it('on a lock, a run and a crash', async () => {
    const root = testDir({
      'agents.config.json': JSON.stringify({ heartbeatMs: 1000, agents: [{ id: 'quick', command: ['true'], owns: ['a/**'] }] }),
      'crash/agents.config.json': JSON.stringify({ heartbeatMs: 1000, agents: [{ id: 'slow', command: ['sleep', '30'], owns: ['b/**'] }] }),
    });
    const bare = join(root, 'bare.txt');
    spawnSync('strace', [...TRACE, '-o', bare, process.execPath, '-e', '0'], { env: cleanEnv() });
    const baseline = procPathsOpenedBy(bare);

    const lock = traced(root, ['lock', 'src/x.ts', '--agent', 'a']);
    expect(await lock.run).toBe(0);
    const run = traced(root, ['run']);
    expect(await run.run).toBe(0);

    const crashRoot = join(root, 'crash');
    const crash = traced(crashRoot, ['run']);
    await waitFor(() => existsSync(join(crashRoot, 'data', '.agent_locks', 'agents', 'slow.json')) && readFileSync(join(crashRoot, 'data', '.agent_locks', 'agents', 'slow.json'), 'utf8').includes('"running"'), { what: 'the traced run started its agent' });
    process.kill(crash.pid()!, 'SIGKILL');
    await crash.run;
    const trace = readFileSync(crash.trace, 'utf8');
    // The watchdog's killer (node) ran and ps was asked: the trace covers the cleanup.
    expect(trace).toMatch(/execve\("[^"]*watchdog\.js"|watchdog\.js/);
    expect(trace).toMatch(/execve\("[^"]*\/ps"/);

    for (const { trace: file } of [lock, run, crash]) expect(findings(file, baseline)).toEqual([]);
  });

  it('the guard runs no ps at an edit when the holder has a lease (it is judged by the lease)', async () => {
    const root = guardProject({ 'src/api/users.ts': 'x\n' });
    const holder = spawnActor(join(root, LOCK_DIR), [
      { op: 'acquire', agent: 'api', paths: ['src/api/**'], owner: { pid: 'self', leaseMs: 15_000 } },
      { op: 'hold' },
    ], { AGENTVISOR_PORTABLE: '1' });
    try {
      await holder.line((l) => l.op === 'acquire');
      const trace = join(root, 'guard.txt');
      const guard = spawnSync('strace', [...TRACE, '-o', trace, process.execPath, BIN, 'guard', '--agent', 'web'], {
        cwd: root, env: cleanEnv({ AGENTVISOR_PORTABLE: '1' }), input: fixture('claude-write', root), encoding: 'utf8',
      });
      expect(guard.status, guard.stderr).toBe(2);
      expect(guard.stderr).toContain('api');
      expect(readFileSync(trace, 'utf8')).not.toMatch(/execve\("[^"]*\/ps"/);
    } finally {
      holder.child.stdin!.end();
      await holder.exited;
    }
  });

  it('the check finds a /proc/PID read when a node process makes one (it can fail)', () => {
    const root = testDir();
    const trace = join(root, 'linux.txt');
    spawnSync('strace', [...TRACE, '-o', trace, process.execPath, '-e', "require('fs').readFileSync('/proc/' + process.pid + '/stat')"], { env: cleanEnv() });
    const bare = join(root, 'bare.txt');
    spawnSync('strace', [...TRACE, '-o', bare, process.execPath, '-e', '0'], { env: cleanEnv() });
    expect(findings(trace, procPathsOpenedBy(bare)).map((f) => f.line).join('\n')).toMatch(/\/proc\/\d+\/stat/);
  });
});
