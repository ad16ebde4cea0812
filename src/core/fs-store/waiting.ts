// How an acquire waiting in line waits for its chance: woken by a change that can let it in (or
// by a backing-off timer), it first looks at the files without the mutex and enters the critical
// section only when it could be granted there, when its entry is due for a refresh, or when it
// must leave. Under contention most wake-ups find the way still shut (the holder released, but a
// waiter ahead goes first; the waiter ahead was granted and now holds it): each such look cost a
// pass through the mutex, which every other process then waited for.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ConflictRecord } from '../records.js';
import { decideAttempt } from '../rules/acquire.js';
import type { AcquireRequest } from '../store.js';
import type { QueueSettings } from './acquisition.js';
import { ChangeSignal } from './change-signal.js';
import { lockFilePrefix } from './grant.js';
import type { Layout } from './layout.js';
import { readLiveLocks } from './live-locks.js';
import { queueRefreshMs, readEntry } from './queue.js';
import type { MachineFacts } from '../staleness.js';
import type { LineEntry } from '../rules/acquire.js';

const WAIT_BACKOFF_START_MS = 20;
const WAIT_BACKOFF_MAX_MS = 1000;

/** When a wait must end whatever the files show (monotonic ms). */
export interface WaitLimits {
  /** The request's own deadline. */
  deadline: number;
  /** When the next wait report is due (+Infinity: none). */
  reportAt: number;
}

/** One waiter's wake-ups across the attempts of one acquire. */
export class Waiting {
  private signal: ChangeSignal | null = null;
  private blockers = new Set<string>();
  private ticket: number | null = null;
  private backoff = WAIT_BACKOFF_START_MS;
  /** When this waiter last went through the section (its entry is refreshed only there). */
  private lastSection = Number.NEGATIVE_INFINITY;
  private readonly line = new LineView();

  constructor(
    private readonly q: QueueSettings,
    private readonly request: AcquireRequest,
  ) {}

  /** After an attempt that left us waiting: what blocks us, and our place in line. */
  attempted(ticket: number, conflicts: ConflictRecord[]): void {
    this.ticket = ticket;
    this.lastSection = this.q.ctx.clock.mono();
    this.blockers = blockingLockFiles(conflicts);
    const { dir } = this.q.ctx.layout;
    this.signal ??= new ChangeSignal([dir, this.q.ctx.layout.queueDir], (name) => canLetIn(dir, name, this.blockers, this.ticket));
  }

  /**
   * Wait until the next attempt is worth a section: a change that can let us in, after which the
   * files say it could be granted; the backing-off timer (what no change reports: a lease running
   * out, a holder or a waiter ahead that died; the section judges those); the entry's refresh, the
   * request's deadline or report; an abort.
   */
  async untilWorthAttempt(limits: WaitLimits): Promise<void> {
    const { clock } = this.q.ctx;
    const refreshAt = this.lastSection + queueRefreshMs(this.q.queueLeaseMs);
    for (;;) {
      const now = clock.mono();
      const until = Math.min(this.backoff, limits.deadline - now, limits.reportAt - now, refreshAt - now);
      const changed = await this.signal!.wait(until, this.request.signal);
      this.backoff = Math.min(this.backoff * 2, WAIT_BACKOFF_MAX_MS);
      if (!changed || this.request.signal?.aborted === true || clock.mono() >= Math.min(limits.deadline, limits.reportAt, refreshAt)) return;
      const conflicts = this.look();
      if (conflicts.length === 0) return;
      // What blocks us now (a waiter ahead may have become the holder): its release wakes us.
      this.blockers = blockingLockFiles(conflicts);
    }
  }

  /**
   * The attempt as the files show it now, without the mutex: the conflicts it would meet (none:
   * it could be granted). Only the section decides. The look asks no process whether it lives
   * (on the portable path that is a ps): every lock and waiter counts, so a dead one shuts the way
   * until the timer's section reclaims it. Wrong either way, a look costs a section too many or a
   * wait for the next change (each change that can let us in wakes us) or the timer.
   */
  private look(): ConflictRecord[] {
    const { layout, clock, facts } = this.q.ctx;
    const asked: MachineFacts = { host: facts.host, bootId: facts.bootId, pidState: () => 'unknown' };
    const held = readLiveLocks(layout, clock, asked);
    const line = this.line.read(layout);
    const { agentId, paths } = this.request;
    const decision = decideAttempt({ agentId, paths, held, line, ticket: this.ticket, wait: true, leaving: false });
    return decision.kind === 'grant' ? [] : decision.conflicts;
  }

  close(): void {
    this.signal?.close();
  }
}

/**
 * The lock files a waiter's conflicts name, as name prefixes (agent and path; mode and keeper are
 * not in the record, and the keeper pid is part of a file's name).
 */
function blockingLockFiles(conflicts: ConflictRecord[]): Set<string> {
  const prefixes = new Set<string>();
  for (const c of conflicts) if (c.locked_by !== null && c.lock_path !== null) prefixes.add(lockFilePrefix(c.locked_by, c.lock_path));
  return prefixes;
}

/**
 * A change that can let this waiter in: one of the lock files it waits for going away (a release,
 * a reclaim; not one appearing, as when the waiter ahead of us is granted, nor a renewal's rename:
 * the file is still there), or the entry of a waiter ahead of it in line changing (leaving,
 * mostly). Anything else (temp files, the counters, the journals, the board, other paths' locks,
 * waiters behind) cannot, and waking the whole line for each of those made every waiter run a
 * section per section under contention. What no event covers (a lease running out, a holder that
 * appeared meanwhile) the backing-off timer does.
 */
function canLetIn(dir: string, name: string, blockers: Set<string>, ticket: number | null): boolean {
  if (name.endsWith('.lock')) return [...blockers].some((prefix) => name.startsWith(prefix)) && !existsSync(join(dir, name));
  const entry = /^(\d+)\.json$/.exec(name);
  return entry !== null && (ticket === null || Number(entry[1]) < ticket);
}

/**
 * The waiting line as a look sees it: the entries' names, listed each time, and what each asks
 * for, read once per ticket (a waiter rewrites only its heartbeat; a ticket is never given twice).
 */
class LineView {
  private readonly known = new Map<string, LineEntry>();

  read(layout: Layout): LineEntry[] {
    let names: string[];
    try {
      names = readdirSync(layout.queueDir);
    } catch {
      return [];
    }
    const line: LineEntry[] = [];
    const listed = new Set<string>();
    for (const name of names) {
      if (!/^\d+\.json$/.test(name)) continue;
      listed.add(name);
      let entry = this.known.get(name);
      if (!entry) {
        const read = readEntry(layout, name);
        if (!read) continue;
        this.known.set(name, (entry = { ticket: read.ticket, agent_id: read.agent_id, paths: read.paths, since: read.since }));
      }
      line.push(entry);
    }
    for (const name of this.known.keys()) if (!listed.has(name)) this.known.delete(name);
    return line;
  }
}
