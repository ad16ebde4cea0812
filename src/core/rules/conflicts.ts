// (Both stores.) Which held locks and earlier waiters a request conflicts with, as conflict records with a
// witness path: exclusive overlaps anything of another agent, shared overlaps only exclusive.

import { overlapWitness, parsePattern, type Pattern } from '../glob/index.js';
import type { ConflictRecord, LockMode, LockRecord } from '../records.js';
import type { PathRequest } from '../store.js';

const MAX_CACHED = 20_000;
const patterns = new Map<string, Pattern>();

/** Parsed patterns, cached: the same held globs are compared again and again. */
export function patternOf(source: string): Pattern {
  let pattern = patterns.get(source);
  if (!pattern) {
    if (patterns.size >= MAX_CACHED) patterns.clear();
    pattern = parsePattern(source);
    patterns.set(source, pattern);
  }
  return pattern;
}

export function modesConflict(a: LockMode, b: LockMode): boolean {
  return a === 'exclusive' || b === 'exclusive';
}

/**
 * What a held (or awaited) lock path covers. One that does not parse was not written by this
 * version (requests are checked before anything is written): it could cover anything, so it
 * covers everything, and a reader never throws on it.
 */
function heldPatternOf(source: string): Pattern {
  try {
    return patternOf(source);
  } catch {
    return patternOf('**');
  }
}

/** A file path that the request `a` and the held lock path `b` both match, or null. */
export function witnessOf(a: string, b: string): string | null {
  return overlapWitness(patternOf(a), heldPatternOf(b));
}

function conflictWith(request: PathRequest, held: { agent_id: string; file_path: string; mode: LockMode }, since: string | null): ConflictRecord | null {
  if (!modesConflict(request.mode, held.mode)) return null;
  const witness = witnessOf(request.path, held.file_path);
  if (witness === null) return null;
  return { file_path: request.path, locked_by: held.agent_id, lock_path: held.file_path, since, witness, kind: 'refused' };
}

/** Conflicts of `agentId`'s request with locks held by other agents. */
export function holderConflicts(agentId: string, requests: PathRequest[], held: LockRecord[]): ConflictRecord[] {
  const found: ConflictRecord[] = [];
  for (const lock of held) {
    if (lock.agent_id === agentId) continue;
    for (const request of requests) {
      const conflict = conflictWith(request, lock, lock.timestamp);
      if (conflict) found.push(conflict);
    }
  }
  return found;
}

export interface Waiting {
  agent_id: string;
  paths: PathRequest[];
  since: string;
}

/** Conflicts of a request with earlier waiters of other agents (they go first). */
export function waiterConflicts(agentId: string, requests: PathRequest[], waiters: Waiting[]): ConflictRecord[] {
  const found: ConflictRecord[] = [];
  for (const waiter of waiters) {
    if (waiter.agent_id === agentId) continue;
    for (const wanted of waiter.paths) {
      for (const request of requests) {
        const conflict = conflictWith(request, { agent_id: waiter.agent_id, file_path: wanted.path, mode: wanted.mode }, waiter.since);
        if (conflict) found.push({ ...conflict, queued: true });
      }
    }
  }
  return found;
}
