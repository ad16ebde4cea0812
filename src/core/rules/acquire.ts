// (Both stores.) One attempt of an acquisition decided from what the store holds now: grant,
// refuse, or wait in line; who is ahead in the line; and which requested paths are already held.
// Pure: each store reads its locks and waiters in its own critical section and applies the answer.

import { AgentvisorError } from '../errors.js';
import type { ConflictRecord, LockRecord } from '../records.js';
import type { PathRequest } from '../store.js';
import { holderConflicts, patternOf, waiterConflicts } from './conflicts.js';

function badInput(message: string, facts: Record<string, unknown> = {}): never {
  throw new AgentvisorError('INVALID_ARGUMENT', message, facts);
}

/** Every path must parse (INVALID_GLOB otherwise) before anything is written or compared. */
export function checkPaths(paths: PathRequest[]): void {
  if (!Array.isArray(paths) || paths.length === 0) badInput('no lock paths given');
  for (const p of paths) {
    if (typeof p?.path !== 'string' || p.path === '') badInput('a lock path is empty', { path: p?.path });
    if (p.mode !== 'exclusive' && p.mode !== 'shared') badInput(`lock mode must be "exclusive" or "shared", not ${JSON.stringify(p.mode)}`);
    patternOf(p.path);
  }
}

/** A waiter in line, as both stores keep one (ticket: order of arrival in the critical section). */
export interface LineEntry {
  ticket: number;
  agent_id: string;
  paths: PathRequest[];
  since: string;
}

export interface AttemptInput {
  agentId: string;
  paths: PathRequest[];
  /** Live locks (stale ones already reclaimed). */
  held: LockRecord[];
  /** Live waiters (gone ones already dropped), any order. */
  line: LineEntry[];
  /** The ticket this request got in an earlier attempt, if any. */
  ticket: number | null;
  wait: boolean;
  /** The request is giving up (timeout, abort): grant if free, else refuse and leave the line. */
  leaving: boolean;
}

export type Decision =
  /** `ticket`: our place in line, to be removed with the grant. */
  | { kind: 'grant'; ticket: number | null }
  /** `ticket`: our place to remove; `log`: record the conflicts (a refusal, not a give-up). */
  | { kind: 'refuse'; conflicts: ConflictRecord[]; ticket: number | null; log: boolean }
  /** `ticket` null: the request needs a new ticket, at the back of the line. */
  | { kind: 'wait'; conflicts: ConflictRecord[]; ticket: number | null };

/**
 * Our entry gone from the line means our place is lost (we died, were stopped or cut off past our
 * lease): everyone now in line is ahead of us. Otherwise the earlier tickets are.
 */
export function waitersAhead(line: LineEntry[], given: number | null): { ticket: number | null; ahead: LineEntry[] } {
  const ticket = given !== null && line.some((e) => e.ticket === given) ? given : null;
  const ahead = line.filter((e) => e.ticket !== ticket && (ticket === null || e.ticket < ticket));
  return { ticket, ahead };
}

export function decideAttempt(input: AttemptInput): Decision {
  const { ticket, ahead } = waitersAhead(input.line, input.ticket);
  const conflicts = [...holderConflicts(input.agentId, input.paths, input.held), ...waiterConflicts(input.agentId, input.paths, ahead)];
  if (conflicts.length === 0) return { kind: 'grant', ticket };
  if (input.leaving) return { kind: 'refuse', conflicts, ticket, log: false };
  if (!input.wait) return { kind: 'refuse', conflicts, ticket, log: true };
  return { kind: 'wait', conflicts, ticket };
}

/** The same path asked twice in one request counts once. */
export function uniquePaths(paths: PathRequest[]): PathRequest[] {
  const seen = new Set<string>();
  return paths.filter((p) => {
    const key = `${p.mode}\0${p.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Whether a held lock is this request's own: same agent and same keeper (the pid keeping it alive). */
export function sameKeeper(record: LockRecord, agentId: string, pid: number | null): boolean {
  return record.agent_id === agentId && record.pid === pid;
}

/**
 * What a grant adds: asking again for what this keeper already holds in the same mode keeps that
 * record (same token); the rest are new locks under one new token. Another process acting under
 * the same agent id gets records of its own, which its release or death never touches.
 */
export function planGrant(agentId: string, pid: number | null, paths: PathRequest[], held: LockRecord[]): { kept: LockRecord[]; fresh: PathRequest[] } {
  const kept: LockRecord[] = [];
  const fresh: PathRequest[] = [];
  for (const path of uniquePaths(paths)) {
    const own = held.find((l) => sameKeeper(l, agentId, pid) && l.file_path === path.path && l.mode === path.mode && l.unreadable === undefined);
    if (own) kept.push(own);
    else fresh.push(path);
  }
  return { kept, fresh };
}

/** A waiter's lease in line: it refreshes its place four times within it (queueRefreshMs). */
export const DEFAULT_QUEUE_LEASE_MS = 10_000;
/** A waiting request says what it waits for at least this often. */
export const DEFAULT_WAIT_REPORT_MS = 10_000;

export function queueRefreshMs(leaseMs: number): number {
  return leaseMs / 4;
}

/** The supervised agent a lock lives and ends with: `kept_for`, else its own agent id. */
export function keptFor(record: LockRecord): string {
  return typeof record.kept_for === 'string' && record.kept_for !== '' ? record.kept_for : record.agent_id;
}

/**
 * Whether the lock is the agent's to release: its agent id; with `pid`, kept alive by that pid for
 * the agent (`anyId`: a supervisor releasing what it kept for an agent, under any id; else a
 * process releasing only its own records, never those of another process acting under the same id).
 */
export function mayRelease(record: LockRecord, agentId: string, pid: number | undefined, anyId: boolean): boolean {
  if (record.unreadable !== undefined) return false;
  if (pid === undefined) return record.agent_id === agentId;
  if (record.pid !== pid) return false;
  return anyId ? keptFor(record) === agentId : record.agent_id === agentId;
}

/** Conflict records as the conflict log keeps them: who asked, in which mode, when. */
export function conflictLogEntries(agentId: string, paths: PathRequest[], conflicts: ConflictRecord[], at: string): ConflictRecord[] {
  return conflicts.map((c) => ({ ...c, agent_id: agentId, mode: paths.find((p) => p.path === c.file_path)?.mode ?? 'exclusive', at }));
}
