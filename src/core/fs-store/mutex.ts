// The store-wide critical section: one mutex per coordination dir, the socket-file chain of
// src/platform/socket-mutex.ts, taken the same way by every process on Linux and macOS (portable
// or not), so processes that differ meet in one mechanism. A holder's death (even by SIGKILL)
// closes its socket, so a crash inside the critical section blocks nobody. A wait has a deadline:
// past it, STORE_BUSY names the process holding it (and whether it is stopped).

import { AgentvisorError } from '../errors.js';
import { chainDirFor } from '../../platform/socket-dir.js';
import { SocketChain, type ChainHolder } from '../../platform/socket-mutex.js';
import { step, storeIoError } from './atomic-file.js';

/** The dir's identity, as its stats show it (kept for callers that pass it; the chain is named by real path). */
export interface DirIdentity {
  dev: number;
  ino: number;
}

/** `chain` null: do not look for the holder (a process scan: too slow on a caller's deadline). */
function busyError(dir: string, chain: SocketChain | null, waitedMs: number): AgentvisorError {
  const holder = chain === null ? null : chain.holder();
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
  /** Worked out at the first section (the dir exists by then) and kept: the path does not change. */
  private chain: SocketChain | undefined;

  constructor(private readonly dir: string) {}

  /**
   * `waitMs`: how long to wait in all (in this process's line, then for the other processes)
   * before STORE_BUSY; 0 tries once. (`_known`, the dir's identity, is no longer needed.) `quiet`:
   * a STORE_BUSY error does not look for the holder (the renewal on its kill deadline).
   */
  run<T>(body: () => T, _known?: DirIdentity, waitMs = Number.POSITIVE_INFINITY, quiet = false): Promise<T> {
    const started = performance.now();
    const deadline = started + waitMs;
    const result = this.tail.then(async () => {
      let release: () => void;
      try {
        const chain = (this.chain ??= new SocketChain(chainDirFor(this.dir)));
        release = await chain.take(deadline, () => busyError(this.dir, quiet ? null : chain, performance.now() - started));
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
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** The process in the critical section of the store at `dir` now, when there is one (tests, messages). */
export function mutexHolder(dir: string): ChainHolder | null {
  return new SocketChain(chainDirFor(dir)).holder();
}

/**
 * The process inside the critical section of `dir` now, or null. A process stopped there blocks
 * every writer; tests use this to stop one only outside it.
 */
export function sectionHolder(dir: string): { pid: number; state: string } | null {
  const holder = mutexHolder(dir);
  return holder ? { pid: holder.pid, state: holder.state ?? '?' } : null;
}
