// One attempt of an acquire inside the critical section (grant, refuse, or wait in line), the
// waiters' queue as the section sees it, and how long an attempt may wait for the mutex.

import type { ConflictRecord } from '../records.js';
import type { AcquireRequest } from '../store.js';
import { removeQuietly, step } from './atomic-file.js';
import { decideAttempt } from '../rules/acquire.js';
export { checkPaths } from '../rules/acquire.js';
import { grant, logConflicts, type Granted } from './grant.js';
import { queueRefreshMs, readQueue, removeEntry, waiterGone, writeEntry, type QueueEntry } from './queue.js';
import type { Section, StoreContext } from './section.js';

export type StepOutcome =
  | { kind: 'granted'; granted: Granted }
  | { kind: 'refused'; conflicts: ConflictRecord[] }
  | { kind: 'waiting'; ticket: number; conflicts: ConflictRecord[] };

/** What an attempt needs of its store. */
export interface QueueSettings {
  ctx: StoreContext;
  queueLeaseMs: number;
  busyTimeoutMs: number;
}

/**
 * How long one attempt of `request` may wait for the mutex: a request that will not wait in line
 * will not wait long for a stopped holder either; one that waits, up to its own deadline (never
 * less than the busy timeout, so ordinary contention at its last moment is no failure).
 */
export function mutexWaitFor(q: QueueSettings, request: AcquireRequest, deadline: number): number {
  if (!request.wait) return q.busyTimeoutMs;
  return Math.max(q.busyTimeoutMs, deadline - q.ctx.clock.mono());
}

/** Waiters in line now, dropping dead ones and files that do not parse. */
export function liveQueue(s: Section, q: QueueSettings): QueueEntry[] {
  if (!s.hasQueue) return [];
  const { entries, garbage } = readQueue(s.layout);
  q.ctx.facts.prefetch?.(entries.map((e) => e.pid));
  const live: QueueEntry[] = [];
  for (const entry of entries) {
    if (waiterGone(entry, s.now, q.ctx.facts)) {
      removeEntry(s.layout, entry.ticket);
      s.mutated();
    } else live.push(entry);
  }
  // A waiter's entry is written by rename, so one that does not parse was not written by us.
  for (const path of garbage) removeQuietly(path);
  return live;
}

export function acquireStep(s: Section, q: QueueSettings, request: AcquireRequest, given: number | null, leaving: boolean): StepOutcome {
  step('acquire.in-mutex', s.layout.dir, () => undefined);
  const held = s.live.map((l) => l.record);
  const queue = liveQueue(s, q);
  const decision = decideAttempt({ agentId: request.agentId, paths: request.paths, held, line: queue, ticket: given, wait: request.wait === true, leaving });
  const { ticket } = decision;
  const mine = ticket === null ? undefined : queue.find((e) => e.ticket === ticket);
  if (decision.kind === 'grant') {
    const granted = grant(s, request);
    if (ticket !== null) removeEntry(s.layout, ticket);
    return { kind: 'granted', granted };
  }
  const { conflicts } = decision;
  if (decision.kind === 'refuse' && !decision.log) {
    if (ticket !== null) {
      removeEntry(s.layout, ticket);
      s.mutated();
    }
    return { kind: 'refused', conflicts };
  }
  if (decision.kind === 'refuse') {
    logConflicts(s, request, conflicts);
    s.mutated();
    return { kind: 'refused', conflicts };
  }
  if (ticket === null) {
    const fresh = s.nextTicket();
    // The ticket is on disk before the entry that carries it: no two waiters share one.
    s.persist();
    writeEntry(s.layout, queueEntry(s, q, request, fresh, s.nowIso));
    s.hasQueue = true;
    logConflicts(s, request, conflicts);
    s.mutated();
    return { kind: 'waiting', ticket: fresh, conflicts };
  }
  if (!mine || s.now.mono - mine.heartbeat_mono > queueRefreshMs(q.queueLeaseMs)) {
    writeEntry(s.layout, queueEntry(s, q, request, ticket, mine?.since ?? s.nowIso));
  }
  return { kind: 'waiting', ticket, conflicts };
}

function queueEntry(s: Section, q: QueueSettings, request: AcquireRequest, ticket: number, since: string): QueueEntry {
  const { liveness } = q.ctx;
  return {
    ticket,
    agent_id: request.agentId,
    paths: request.paths.map((p) => ({ path: p.path, mode: p.mode })),
    pid: process.pid,
    pid_start: liveness.processStart(process.pid),
    host: liveness.host,
    boot_id: liveness.bootId,
    since,
    heartbeat: s.nowIso,
    heartbeat_mono: s.now.mono,
    lease_ms: q.queueLeaseMs,
  };
}

/** Our place in line, dropped (after a failure, or an abort). */
export function leaveQueueInside(s: Section, ticket: number): void {
  removeEntry(s.layout, ticket);
  s.mutated();
}
