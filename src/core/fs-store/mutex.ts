// The store-wide critical section: an abstract Unix socket named after the coordination dir's
// device and inode. Whoever listens on it holds the mutex; the kernel frees the name the instant
// its owner dies (even by SIGKILL), so a crash inside the critical section blocks nobody. Waiters
// connect and retry when the connection closes (the holder closes it on release, the kernel on
// death), with a bounded safety retry: no spinning.

import { statSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { step, storeIoError } from './atomic-file.js';

const SAFETY_RETRY_MS = 1000;

/** The dir's identity, as its stats show it. */
export interface DirIdentity {
  dev: number;
  ino: number;
}

function socketName(dir: string, known?: DirIdentity): string {
  const { dev, ino } = known ?? statSync(dir);
  return `\0agentvisor-${dev}-${ino}`;
}

/** Listen on the name: true when we now hold it, false when someone else does. */
function tryListen(name: string): Promise<{ server: Server; sockets: Set<Socket> } | null> {
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

/**
 * Resolves when the current holder lets go (or dies), or after the safety delay; true when the
 * connection was accepted (a holder was really there).
 */
function holderGone(name: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path: name });
    let connected = false;
    const timer = setTimeout(() => socket.destroy(), SAFETY_RETRY_MS);
    socket.on('connect', () => (connected = true));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(connected);
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function take(dir: string, known: DirIdentity | undefined): Promise<() => void> {
  // Connection refused right after the name was taken just means the holder let go in between;
  // should it keep happening (a full backlog), back off rather than spin.
  let refused = 0;
  for (let first = known; ; first = undefined) {
    const name = socketName(dir, first);
    const held = await tryListen(name);
    if (held) {
      return () => {
        held.server.close();
        for (const socket of held.sockets) socket.destroy();
      };
    }
    if (await holderGone(name)) refused = 0;
    else if (++refused > 3) await sleep(Math.min(2 ** refused, 100));
  }
}

/**
 * One mutex per coordination dir. Calls from one process queue up in order before contending
 * with other processes. The body is synchronous on purpose: the section stays short and can never
 * await something slow while others wait.
 */
export class DirMutex {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  constructor(private readonly dir: string) {}

  /**
   * `known`: the dir's identity as the caller just saw it, to save a stat. Used only when no call
   * of this process is ahead in line; after a wait the dir is looked at again.
   */
  run<T>(body: () => T, known?: DirIdentity): Promise<T> {
    const fresh = this.pending === 0 ? known : undefined;
    this.pending++;
    const result = this.tail.then(async () => {
      let release: () => void;
      try {
        release = await take(this.dir, fresh);
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
