// The store's mutex, the same on Linux and macOS: a chain of Unix socket files in one directory
// (socket-dir.ts), named 1, 2, 3, ... The holder is whoever listens on the highest name. To take
// it: read the directory; connect to the highest name k; accepted means its holder is in (wait for
// the connection to close: closed by the holder, it let go; then take k+1 without a second look);
// refused means its holder let go or died (the kernel closes a dead process's socket). Then hard-link our own listening socket (bound and listening
// under a private name first, so a name never exists without a listener) to k+1: link(2) fails if
// the name exists, so one taker wins it; read the directory again: if k+1 is still the highest, we
// are in. Names below the highest are removed only by someone who saw a higher one. Why no two
// processes can be in at once: docs/platform.md. Portable processes (macOS, whose full listen
// backlog also refuses) believe a refusal only when the name's owner tag is gone or its pid dead.

import { linkSync, lstatSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { pidState, processStart, processState } from './liveness.js';
import { checkSocketPath } from './socket-dir.js';
import { isPortable } from './system.js';

const SAFETY_RETRY_MS = 1000;
/** Owner tags of dead processes are swept when more than this many lie about. */
const TAGS_BEFORE_SWEEP = 8;

export interface ChainHolder {
  pid: number;
  /** Its state letter (T: stopped), when the system tells. */
  state: string | null;
}

interface Listening {
  server: Server;
  sockets: Set<Socket>;
  /** Our owner tag: the private name we listen on, `t-<pid>-<start>-<n>`. */
  tag: string;
}

type Probe = 'accepted' | 'released' | 'refused' | 'gone' | 'busy';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function highest(names: string[]): number {
  let top = 0;
  for (const name of names) {
    const code = name.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const n = Number(name);
    if (Number.isSafeInteger(n) && n > top) top = n;
  }
  return top;
}

function quietly(call: () => void): void {
  try {
    call();
  } catch {
    // Gone already: what we wanted.
  }
}

/** Tags are `t-<pid>-<start>-<n>`: the pid and start of the process that listens behind them. */
function tagOwner(name: string): { pid: number; start: number } | null {
  const match = /^t-(\d+)-(\d+)-\d+$/.exec(name);
  return match ? { pid: Number(match[1]), start: Number(match[2]) } : null;
}

/**
 * Connect to a name: released (accepted, then closed by the listener: its holder let go or died),
 * accepted (still open after `ms`), or why not. The listener closes the connections it accepted
 * when it closes, and then an accepted one ends (or, still in its backlog, is reset).
 */
function probe(path: string, ms: number): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    let outcome: Probe = 'busy';
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('connect', () => {
      outcome = 'accepted';
      // Flowing, so that the listener's end shows as 'end'.
      socket.resume();
    });
    socket.on('end', () => (outcome = 'released'));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') outcome = 'refused';
      else if (error.code === 'ENOENT') outcome = 'gone';
      else if (error.code === 'ECONNRESET' && outcome === 'accepted') outcome = 'released';
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(outcome);
    });
  });
}

export class SocketChain {
  private seq = 0;
  /** The name we last held and closed: when it is still the highest, no probe is needed. */
  private lastHeld = 0;

  constructor(readonly dir: string) {}

  private listen(): Promise<Listening> {
    const tag = `t-${process.pid}-${processStart(process.pid) ?? 0}-${++this.seq}`;
    const path = checkSocketPath(`${this.dir}/${tag}`);
    return new Promise((resolve, reject) => {
      const server = createServer();
      const sockets = new Set<Socket>();
      // Waiters connect only to learn when we let go; hold their sockets so release can close them.
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => sockets.delete(socket));
      });
      server.once('error', reject);
      server.listen({ path, exclusive: true }, () => {
        server.unref();
        resolve({ server, sockets, tag });
      });
    });
  }

  private close(held: Listening): void {
    held.server.close();
    for (const socket of held.sockets) socket.destroy();
    quietly(() => unlinkSync(`${this.dir}/${held.tag}`));
  }

  private names(): string[] {
    try {
      return readdirSync(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      return [];
    }
  }

  /** The process behind a name's owner tag (its pid, start and state), or null when it has none. */
  private owner(names: string[], name: number): { pid: number; start: number } | null {
    let ino: number;
    try {
      const stat = lstatSync(`${this.dir}/${name}`);
      if (stat.nlink < 2) return null;
      ino = stat.ino;
    } catch {
      return null;
    }
    for (const entry of names) {
      const tag = tagOwner(entry);
      if (!tag) continue;
      try {
        if (lstatSync(`${this.dir}/${entry}`).ino === ino) return tag;
      } catch {
        // Removed meanwhile.
      }
    }
    return null;
  }

  /** Who holds the mutex now, as far as the owner tag of the highest name tells. */
  holder(): ChainHolder | null {
    const names = this.names();
    const owner = this.owner(names, highest(names));
    if (!owner || pidState(owner.pid, owner.start || null) === 'dead') return null;
    return { pid: owner.pid, state: processState(owner.pid) };
  }

  /**
   * A refusal from name `top` proves its holder out on Linux. Elsewhere a full listen backlog also
   * refuses, so the holder is out only when it has taken its owner tag away (it does so after it
   * stops listening) or is dead.
   */
  private holderOut(names: string[], top: number): boolean {
    if (!isPortable()) return true;
    const owner = this.owner(names, top);
    return owner === null || pidState(owner.pid, owner.start || null) === 'dead';
  }

  /**
   * Take the mutex, waiting until `deadline` (performance.now() ms); `busy` builds the error
   * thrown past it. Resolves with the release.
   */
  async take(deadline: number, busy: () => Error): Promise<() => void> {
    let listening: Listening | null = null;
    let waits = 0;
    /** The number whose listener we saw close our connection: its holder is out (no second look). */
    let out: number | null = null;
    try {
      for (;;) {
        const names = out === null ? this.names() : null;
        const top: number = out ?? highest(names!);
        out = null;
        if (names !== null && top > 0 && top !== this.lastHeld) {
          const left = deadline - performance.now();
          const seen = await probe(`${this.dir}/${top}`, Math.max(1, Math.min(SAFETY_RETRY_MS, left)));
          if (seen === 'released') {
            out = top;
            waits = 0;
            continue;
          }
          if (seen === 'accepted' || seen === 'gone') {
            if (seen === 'accepted' && performance.now() >= deadline) throw busy();
            waits = 0;
            continue;
          }
          if (seen === 'busy' || !this.holderOut(names, top)) {
            if (performance.now() >= deadline) throw busy();
            await sleep(Math.min(2 ** ++waits, 50));
            continue;
          }
        }
        listening ??= await this.listen();
        if (!this.link(listening.tag, top + 1)) continue;
        const after = this.names();
        if (highest(after) !== top + 1) {
          // Someone climbed past us meanwhile: not in. Close (waiters on our name look again).
          this.close(listening);
          listening = null;
          continue;
        }
        const held: Listening = listening;
        listening = null;
        this.tidy(after, top + 1, held.tag);
        return () => {
          this.lastHeld = top + 1;
          this.close(held);
        };
      }
    } finally {
      if (listening) this.close(listening);
    }
  }

  /** link(2) our socket to the name: false when the name exists (someone else won it). */
  private link(tag: string, name: number): boolean {
    try {
      linkSync(`${this.dir}/${tag}`, `${this.dir}/${name}`);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  /** Inside: remove the names below ours, and the tags of dead processes when they pile up. */
  private tidy(names: string[], ours: number, ourTag: string): void {
    let tags = 0;
    for (const name of names) {
      if (name.startsWith('t-')) tags++;
      else if (highest([name]) > 0 && Number(name) < ours) quietly(() => unlinkSync(`${this.dir}/${name}`));
    }
    if (tags <= TAGS_BEFORE_SWEEP) return;
    for (const name of names) {
      const owner = tagOwner(name);
      if (!owner || name === ourTag || owner.pid === process.pid) continue;
      if (pidState(owner.pid, owner.start || null) === 'dead') quietly(() => unlinkSync(`${this.dir}/${name}`));
    }
  }
}
