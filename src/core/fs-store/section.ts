// One pass through the critical section: on entry, finish what crashed processes left (abandoned
// acquisitions, temp files), load the counters (recovering them if lost), and reclaim stale locks;
// then the caller's mutation; then the counters are written once, bumping the generation.

import { readdirSync } from 'node:fs';
import type { Clock } from '../clock.js';
import type { Liveness } from '../liveness.js';
import type { HistoryEntry, LockRecord } from '../records.js';
import type { Instant, MachineFacts } from '../staleness.js';
import { removeFile, removeQuietly, tempOwner } from './atomic-file.js';
import { readCounters, writeCounters, type Counters } from './counters.js';
import { maxMessageSeq } from './inbox.js';
import { appendLines, readTail } from './journal.js';
import type { Layout } from './layout.js';
import { instant, isStale } from './live-locks.js';
import { carriesToken, listDir, readLocks, type StoredLock } from './lock-files.js';
import { readQueue } from './queue.js';
import { trackSuspects } from './suspects.js';

export interface StoreContext {
  layout: Layout;
  clock: Clock;
  liveness: Liveness;
  facts: MachineFacts;
}

/** Temp files of dead writers, here and in messages/.tmp and queue/. */
function sweepTemps(ctx: StoreContext, names: string[], dir: string): void {
  for (const name of names) {
    const pid = tempOwner(name);
    if (pid !== null && pid !== process.pid && ctx.facts.pidState(pid, null) === 'dead') removeQuietly(`${dir}/${name}`);
  }
}

/** Every pid this entry may ask about: lock holders, their watchdogs, temp file writers (ps once for all). */
function pidsToJudge(locks: StoredLock[], names: string[]): number[] {
  const pids: number[] = [];
  for (const { record } of locks) {
    if (typeof record.pid === 'number') pids.push(record.pid);
    if (typeof record.watchdog_pid === 'number') pids.push(record.watchdog_pid);
  }
  for (const name of names) {
    const pid = tempOwner(name);
    if (pid !== null) pids.push(pid);
  }
  return pids;
}

function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The lowest token a store whose counter is lost may issue: the wall clock in microseconds. Tokens
 * issued before (one per acquisition, counting up from such a floor or from 1) stay below it unless
 * a store granted more than a million acquisitions a second, so deleting the coordination dir
 * (with its counter and every lock file) never makes tokens go backwards; a wall clock set back
 * further than the store's age can (docs/file-store.md).
 */
export function tokenFloor(wallMs: number): number {
  return Math.floor(wallMs) * 1000;
}

/** Counters rebuilt from what the files show, when the counters file is missing or corrupt. */
function recoverCounters(ctx: StoreContext, locks: StoredLock[], txnTokens: number[]): Counters {
  const history = readTail<HistoryEntry>(ctx.layout.history, Number.MAX_SAFE_INTEGER);
  const token = Math.max(tokenFloor(ctx.clock.now()), ...locks.map((l) => l.record.token), ...txnTokens, ...history.map((h) => (typeof h.token === 'number' ? h.token : 0)));
  const ticket = Math.max(0, ...readQueue(ctx.layout).entries.map((e) => e.ticket));
  return { token, generation: 0, ticket, message: maxMessageSeq(ctx.layout), board_generation: 0, board_mono: 0 };
}

export class Section {
  readonly now: Instant;
  readonly counters: Counters;
  /** Locks held now (after recovery and reclaiming); kept up to date by the mutation. */
  live: StoredLock[];
  readonly reclaimed: LockRecord[] = [];
  /**
   * Whether queue/ existed on entry or a waiter of this section's batch wrote one (no waiter ever
   * wrote one otherwise: nothing to read).
   */
  hasQueue: boolean;
  /**
   * Lock file names present on entry, and those created since (a batch runs several calls in one
   * section): a name not among them is free to be renamed into.
   */
  readonly lockNamesOnEntry: Set<string>;
  /** Something changed since the counters were last written. */
  private unpersisted = false;
  /** Something changed in this section at all (the board is behind). */
  changed = false;
  private iso: string | undefined;

  private constructor(readonly ctx: StoreContext) {
    this.now = instant(ctx.clock);
    const listing = listDir(ctx.layout);
    this.hasQueue = listing.others.includes('queue');
    this.lockNamesOnEntry = new Set(listing.lockNames);
    let locks = readLocks(ctx.layout, listing.lockNames);
    if (listing.txnTokens.length > 0) locks = this.recoverTxns(locks, listing.txnTokens);
    ctx.liveness.prefetch?.(pidsToJudge(locks, listing.others));
    sweepTemps(ctx, listing.others, ctx.layout.dir);
    const stored = readCounters(ctx.layout.counters);
    this.counters = stored ?? recoverCounters(ctx, locks, listing.txnTokens);
    if (!stored) this.unpersisted = true;
    // Tokens must grow even if a crash came between linking a lock and writing the counters.
    this.counters.token = Math.max(this.counters.token, ...locks.map((l) => l.record.token));
    this.live = this.reclaimStale(locks, trackSuspects(ctx.layout, locks, this.now, ctx.facts));
  }

  static enter(ctx: StoreContext): Section {
    return new Section(ctx);
  }

  /** Temp files of dead writers in the subfolders too (cleanup does it; entries skip the cost). */
  sweepSubfolders(): void {
    const { layout } = this.ctx;
    sweepTemps(this.ctx, namesIn(layout.messagesTemp), layout.messagesTemp);
    sweepTemps(this.ctx, namesIn(layout.queueDir), layout.queueDir);
  }

  get layout(): Layout {
    return this.ctx.layout;
  }

  get nowIso(): string {
    return (this.iso ??= new Date(this.now.wall).toISOString());
  }

  /**
   * A txn file inside the critical section means its writer died (or failed) before committing:
   * its lock files were never granted. Remove them, then the txn file.
   */
  private recoverTxns(locks: StoredLock[], tokens: number[]): StoredLock[] {
    const abandoned = new Set(tokens);
    for (const lock of locks) {
      if (carriesToken(lock) && abandoned.has(lock.record.token)) removeFile(this.layout.lock(lock.name), 'recover');
    }
    for (const token of tokens) removeFile(this.layout.txn(token), 'recover');
    this.mutated();
    return locks.filter((l) => !(carriesToken(l) && abandoned.has(l.record.token)));
  }

  private reclaimStale(locks: StoredLock[], firstSeen: (lock: StoredLock) => number | null): StoredLock[] {
    const live: StoredLock[] = [];
    const entries: HistoryEntry[] = [];
    for (const lock of locks) {
      const verdict = isStale(lock, this.now, this.ctx.facts, firstSeen(lock));
      if (!verdict.stale) {
        live.push(lock);
        continue;
      }
      if (removeFile(this.layout.lock(lock.name), 'reclaim')) {
        this.reclaimed.push(lock.record);
        const { agent_id, file_path, token } = lock.record;
        // A passed TTL is both: the lock `expired`, and (as for every stale lock) it was `reclaimed`.
        if (verdict.event === 'expired') entries.push({ at: this.nowIso, agent_id, file_path, event: 'expired', token });
        entries.push({ at: this.nowIso, agent_id, file_path, event: 'reclaimed', token });
      }
    }
    if (entries.length > 0) {
      this.mutated();
      this.history(entries);
    }
    return live;
  }

  mutated(): void {
    this.unpersisted = true;
    this.changed = true;
  }

  get needsPersist(): boolean {
    return this.unpersisted;
  }

  nextToken(): number {
    this.counters.token += 1;
    this.unpersisted = true;
    return this.counters.token;
  }

  nextTicket(): number {
    this.counters.ticket += 1;
    this.unpersisted = true;
    return this.counters.ticket;
  }

  nextMessageSeq(): number {
    this.counters.message += 1;
    this.unpersisted = true;
    return this.counters.message;
  }

  /** Write the counters now; the generation grows when something changed since the last write. */
  persist(): void {
    if (this.changed) this.counters.generation += 1;
    writeCounters(this.layout.counters, this.counters);
    this.unpersisted = false;
  }

  history(entries: HistoryEntry[]): void {
    appendLines(this.layout.history, entries, 'history');
  }
}
