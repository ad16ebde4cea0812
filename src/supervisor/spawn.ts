// Starting one agent process: its own process group (detached: setsid), stdin from /dev/null or a
// pipe, a shell string through /bin/sh -c or an argv array. Its end is the child's `exit` event,
// never `close` (a grandchild may hold the pipes open for ever). node:child_process directly, not
// execa: we use none of execa's buffering, piping or promise, and importing it cost ~70 ms of every
// run's start-up (bench/supervisor.bench.mjs).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { enterCgroupArgv } from './cgroup.js';

export interface SpawnRequest {
  command: string | string[];
  cwd: string;
  /** The full environment of the agent. */
  env: Record<string, string>;
  stdin: 'ignore' | 'pipe';
  /** The cgroup (folder) the agent joins before its command runs (cgroup.ts), if any. */
  cgroup?: string | null;
}

export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES, a missing cwd). */
  error?: string;
}

export interface SpawnedAgent {
  /** Undefined only when spawning failed (then `exited` says why). */
  pid: number | undefined;
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  exited: Promise<AgentExit>;
}

export function spawnAgent(request: SpawnRequest): SpawnedAgent {
  const [command, ...rest] = typeof request.command === 'string' ? ['/bin/sh', '-c', request.command] : request.command;
  // A command that cannot start is spawned as it is, so that its error says why (not the wrapper's).
  const wrap = request.cgroup && runnable(command!, request.cwd, request.env.PATH);
  const [file, ...args] = wrap ? enterCgroupArgv(request.cgroup!, command!, rest) : [command!, ...rest];
  let child: ChildProcess;
  try {
    child = spawn(file!, args, { cwd: request.cwd, env: request.env, stdio: [request.stdin, 'pipe', 'pipe'], detached: true });
  } catch (error) {
    // Arguments Node refuses before any process exists (a NUL byte in an argument, say).
    const exit: AgentExit = { code: null, signal: null, error: describeSpawnError(error as NodeJS.ErrnoException, request) };
    return { pid: undefined, stdin: null, stdout: null, stderr: null, exited: Promise.resolve(exit) };
  }
  const exited = new Promise<AgentExit>((resolve) => {
    child.once('exit', (code, signal) => resolve(code === 127 ? withMissingCommand({ code, signal }, request) : { code, signal }));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined || child.exitCode !== null) resolve({ code: null, signal: null, error: describeSpawnError(error, request) });
    });
  });
  return { pid: child.pid, stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, exited };
}

/** Whether `file` names an executable, as exec would find it (PATH for a bare name). */
function runnable(file: string, cwd: string, path: string | undefined): boolean {
  const candidates = file.includes('/') ? [resolve(cwd, file)] : (path ?? '/usr/bin:/bin').split(':').map((dir) => resolve(cwd, dir || '.', file));
  return candidates.some((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function describeSpawnError(error: NodeJS.ErrnoException, request: SpawnRequest): string {
  const what = Array.isArray(request.command) ? request.command[0] : '/bin/sh';
  if (error.code === 'ENOENT') return existsSync(request.cwd) ? `command not found: ${what}` : `cannot start "${what}": no such folder ${request.cwd}`;
  if (error.code === 'EACCES') return `cannot start "${what}": permission denied`;
  return `cannot start "${what}": ${error.message}`;
}

/**
 * A shell string that exits 127 because its first command does not exist says so, as the argv form
 * does: `command not found: NAME`, asked of the shell itself (`command -v`, with the agent's PATH
 * and folder), so a 127 of the program's own, or from deeper in the script, stays a plain 127.
 */
function withMissingCommand(exit: AgentExit, request: SpawnRequest): AgentExit {
  if (typeof request.command !== 'string') return exit;
  // The first word after any VAR=value assignments, when it is a plain word.
  const name = /^\s*(?:[A-Za-z_]\w*=\S*\s+)*([^\s;&|()<>'"`$\\]+)(?=\s|$)/.exec(request.command)?.[1];
  if (!name) return exit;
  const found = spawnSync('/bin/sh', ['-c', 'command -v -- "$1" >/dev/null', 'sh', name], { cwd: request.cwd, env: request.env, stdio: 'ignore' });
  return found.status === 0 ? exit : { ...exit, error: `command not found: ${name}` };
}
