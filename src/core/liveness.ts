// Facts about processes and the machine, as the store judges staleness with them: host name, boot
// id, a pid's start stamp, and whether a pid is dead (gone, a zombie, or reused by another
// process). How they are found is src/platform/'s business (/proc on Linux, ps elsewhere).

import { hostname } from 'node:os';
import { bootId as platformBootId } from '../platform/boot.js';
import { pidStateKnown, prefetch, prefetchAhead, refreshAhead, pidState as platformPidState, processStart as platformProcessStart, type PidState } from '../platform/liveness.js';
import { parseStat } from '../platform/proc.js';

export type { PidState } from '../platform/liveness.js';

export interface Liveness {
  host: string;
  /** The machine's boot id (Linux: the kernel's; portable: `boot@<seconds>`), or null where nothing tells. */
  bootId: string | null;
  /** Start stamp of a live pid (platform/start-stamp.ts), or null when it is gone or unreadable. */
  processStart(pid: number): number | null;
  /** Whether `pid` still is the process that started at `pidStart` (when known). */
  pidState(pid: number, pidStart: number | null | undefined): PidState;
  /** A hint that these pids are about to be asked about (the portable path asks ps once for all). */
  prefetch?(pids: Iterable<number>): void;
  /** Ask again, without blocking, what will be asked soon (before the critical section). */
  refreshAhead?(): Promise<void>;
  /** `prefetch` that never blocks: what is not known is asked in the background. */
  prefetchAhead?(pids: Iterable<number>): void;
  /** `pidState` from what is known now: 'unknown' (and asked in the background) rather than block. */
  pidStateKnown?(pid: number, pidStart: number | null | undefined): PidState;
}

interface ProcStat {
  state: string;
  start: number;
}

/** Parse /proc/PID/stat: the command name may hold spaces and ')' so count fields after the last ')'. */
export function parseProcStat(text: string): ProcStat | null {
  const stat = parseStat(0, text);
  return stat ? { state: stat.state, start: stat.startTime } : null;
}

export function pidState(pid: number, pidStart: number | null | undefined): PidState {
  return platformPidState(pid, pidStart);
}

export function processStart(pid: number): number | null {
  return platformProcessStart(pid);
}

export function bootId(): string | null {
  return platformBootId();
}

let cachedHost: string | undefined;

/** The machine's hostname, or AGENTVISOR_HOST (tests run several hosts on one machine). */
export function hostName(): string {
  cachedHost ??= process.env.AGENTVISOR_HOST || hostname();
  return cachedHost;
}

export const systemLiveness: Liveness = {
  get host() {
    return hostName();
  },
  get bootId() {
    return bootId();
  },
  processStart,
  pidState,
  prefetch,
  refreshAhead,
  prefetchAhead,
  pidStateKnown,
};
