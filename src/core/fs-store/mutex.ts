// The store-wide critical section: abstract Unix sockets named after the coordination dir. Whoever
// listens on a name holds it; the kernel frees the name the instant its owner dies (even by
// SIGKILL), so a crash inside the critical section blocks nobody. Two names are taken, always in
// this order: one from the dir's real path (so a dir deleted and made again, a new inode, is still
// the same mutex), then one from its device and inode (so one dir reached by two paths, a bind
// mount, is still one mutex). Waiters connect and retry when the connection closes (the holder
// closes it on release, the kernel on death), with a bounded safety retry: no spinning. A wait has
// a deadline: past it, STORE_BUSY names the process holding the name.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { AgentvisorError } from '../errors.js';
import { parseProcStat } from '../liveness.js';
import { step, storeIoError } from './atomic-file.js';

const SAFETY_RETRY_MS = 1000;

/** The dir's identity, as its stats show it. */
export interface DirIdentity {
  dev: number;
  ino: number;
}

function inodeName(dir: string, known?: DirIdentity): string {
  const { dev, ino } = known ?? statSync(dir);
  return `\0agentvisor-${dev}-${ino}`;
}

/** The real path (symlinks resolved) is what stays the same when the dir is made again. */
function pathName(dir: string): string {
  let real: string;
  try {
    real = realpathSync.native(dir);
  } catch {
    real = resolve(dir);
  }
  return `\0agentvisor-path-${createHash('sha256').update(real).digest('hex').slice(0, 40)}`;
}

interface Held {
  server: Server;
  sockets: Set<Socket>;
}

/** Listen on the name: what we now hold, or null when someone else holds it. */
function tryListen(name: string): Promise<Held | null> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    const sockets = new Set<Socket>();
    // Waiters connect only to learn when we let go; hold their sockets so release can close them.
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(null);
      else reject(error);
    });
    server.listen({ path: name, exclusive: true }, () => {
      server.unref();
      resolve({ server, sockets });
    });
  });
}

function letGo(held: Held): void {
  held.server.close();
  for (const socket of held.sockets) socket.destroy();
}

/**
 * Resolves when the current holder lets go (or dies), or after `ms`; true when the connection was
 * accepted (a holder was really there).
 */
function holderGone(name: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path: name });
    let connected = false;
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('connect', () => (connected = true));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(connected);
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One name, retried until `deadline` (performance.now() ms); `nameOf` is asked again after a wait. */
async function takeName(dir: string, nameOf: (first: boolean) => string, deadline: number, started: number, quiet: boolean): Promise<Held> {
  // Connection refused right after the name was taken just means the holder let go in between;
  // should it keep happening (a full backlog), back off rather than spin.
  let refused = 0;
  for (let first = true; ; first = false) {
    const name = nameOf(first);
    const held = await tryListen(name);
    if (held) return held;
    const left = deadline - performance.now();
    if (left <= 0) throw busyError(dir, quiet ? null : name, performance.now() - started);
    if (await holderGone(name, Math.min(SAFETY_RETRY_MS, left))) refused = 0;
    else if (++refused > 3) await sleep(Math.min(2 ** refused, 100, Math.max(0, deadline - performance.now())));
  }
}

async function take(dir: string, byPathName: string, known: DirIdentity | undefined, deadline: number, started: number, quiet: boolean): Promise<() => void> {
  const byPath = await takeName(dir, () => byPathName, deadline, started, quiet);
  try {
    const byInode = await takeName(dir, (first) => inodeName(dir, first ? known : undefined), deadline, started, quiet);
    return () => {
      letGo(byInode);
      letGo(byPath);
    };
  } catch (error) {
    letGo(byPath);
    throw error;
  }
}

/** The process listening on an abstract socket name, and its state letter, when /proc tells. */
export function socketHolder(name: string): { pid: number; state: string } | null {
  try {
    const wanted = `@${name.slice(1)}`;
    // Num RefCount Protocol Flags Type St Inode Path; the listener carries __SO_ACCEPTCON (00010000).
    // Node binds the whole sun_path, so the name shows padded with NULs, written '@'.
    const line = readFileSync('/proc/net/unix', 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .find((f) => f[3] === '00010000' && f[7]?.replace(/@+$/, '') === wanted);
    const inode = line?.[6];
    if (!inode) return null;
    const target = `socket:[${inode}]`;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${entry}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        let link: string;
        try {
          link = readlinkSync(`/proc/${entry}/fd/${fd}`);
        } catch {
          continue;
        }
        if (link !== target) continue;
        const stat = parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
        return { pid: Number(entry), state: stat?.state ?? '?' };
      }
    }
  } catch {
    // no /proc, or it changed under us: the error says less, nothing more
  }
  return null;
}

/**
 * The process inside the critical section of `dir` now (holding its first name), or null. A
 * process stopped there blocks every writer; tests use this to stop one only outside it.
 */
export function sectionHolder(dir: string): { pid: number; state: string } | null {
  return socketHolder(pathName(dir));
}

/** `name` null: do not look for the holder (a /proc scan: too slow on a caller's deadline). */
function busyError(dir: string, name: string | null, waitedMs: number): AgentvisorError {
  const holder = name === null ? null : socketHolder(name);
  const seconds = (waitedMs / 1000).toFixed(1);
  const stopped = holder !== null && (holder.state === 'T' || holder.state === 't');
  const who = holder ? `pid ${holder.pid}${stopped ? ' (stopped)' : ''}` : 'another process';
  const advice = stopped
    ? `It is stopped (Ctrl-Z, SIGSTOP or a debugger): \`kill -CONT ${holder.pid}\` lets it finish, or end it.`
    : 'A section takes milliseconds: that process is stuck or very slow; end it if it does not recover.';
  return new AgentvisorError(
    'STORE_BUSY',
    `the coordination store ${dir} is busy: ${who} has held its critical section for all of the ${seconds} s this command waited. ${advice}`,
    { dir, holderPid: holder?.pid ?? null, holderState: holder?.state ?? null, waitedMs: Math.round(waitedMs) },
  );
}

/**
 * One mutex per coordination dir. Calls from one process queue up in order before contending
 * with other processes. The body is synchronous on purpose: the section stays short and can never
 * await something slow while others wait.
 */
export class DirMutex {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  /** Worked out at the first section (the dir exists by then) and kept: the path does not change. */
  private byPath: string | undefined;

  constructor(private readonly dir: string) {}

  /**
   * `known`: the dir's identity as the caller just saw it, to save a stat. Used only when no call
   * of this process is ahead in line; after a wait the dir is looked at again. `waitMs`: how long
   * to wait in all (in this process's line, then for the other processes) before STORE_BUSY; 0
   * tries once.
   */
  run<T>(body: () => T, known?: DirIdentity, waitMs = Number.POSITIVE_INFINITY, quiet = false): Promise<T> {
    const started = performance.now();
    const deadline = started + waitMs;
    const fresh = this.pending === 0 ? known : undefined;
    this.pending++;
    const result = this.tail.then(async () => {
      let release: () => void;
      try {
        release = await take(this.dir, (this.byPath ??= pathName(this.dir)), fresh, deadline, started, quiet);
      } catch (error) {
        throw storeIoError('mutex', error, this.dir);
      }
      try {
        step('mutex.enter', this.dir, () => undefined);
        return body();
      } finally {
        release();
      }
    });
    this.tail = result.catch(() => undefined).finally(() => this.pending--);
    return result;
  }
}
