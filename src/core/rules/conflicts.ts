// (Both stores.) Which held locks and earlier waiters a request conflicts with, as conflict records with a
// witness path: exclusive overlaps anything of another agent, shared overlaps only exclusive.

import { isAgentvisorError } from '../errors.js';
import { matchesPath, overlapWitness, parsePattern, type Pattern } from '../glob/index.js';
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

/** What the overlap of two lock paths came to: a witness, none, or undecided (counted as overlap). */
export type Overlap = { witness: string } | { witness: null; undecided: boolean };

const decided = new Map<string, Overlap>();
const MAX_DECIDED = 20_000;

/**
 * Whether the request `a` and the held lock path `b` overlap, remembered per pair: the same pairs
 * are judged again and again (each section, each waiter's retry), and a pair worked out before the
 * critical section (warmOverlaps) costs nothing inside it.
 */
export function overlapOf(a: string, b: string): Overlap {
  const key = `${a}\0${b}`;
  let known = decided.get(key);
  if (known === undefined) {
    if (decided.size >= MAX_DECIDED) decided.clear();
    decided.set(key, (known = decide(a, b)));
  }
  return known;
}

/**
 * What a lock path covers beyond its glob: a literal path covers, should it become a folder later,
 * everything under it (`build` covers `build/out.js`), i.e. `<path>/**`, which covers the path too.
 */
function covered(pattern: Pattern): Pattern {
  return pattern.literal === null ? pattern : patternOf(`${pattern.source}/**`);
}

/**
 * Whether the lock path `lockPath` covers the file `path`: its glob matches it, or, a literal, the
 * path lies under it. A lock path that does not parse covers nothing here (attribution, never a
 * decision to grant: those go through overlapOf).
 */
export function lockCovers(lockPath: string, path: string): boolean {
  let pattern: Pattern;
  try {
    pattern = patternOf(lockPath);
  } catch {
    return false;
  }
  return matchesPath(pattern, path) || (pattern.literal !== null && matchesPath(covered(pattern), path));
}

function decide(a: string, b: string): Overlap {
  try {
    const pa = patternOf(a);
    const pb = heldPatternOf(b);
    let witness = overlapWitness(pa, pb);
    if (witness === null && (pa.literal !== null || pb.literal !== null)) witness = overlapWitness(covered(pa), covered(pb));
    return witness === null ? { witness: null, undecided: false } : { witness };
  } catch (error) {
    // Too costly to search (crafted globs): err on the side of overlap, as the glob semantics do.
    if (isAgentvisorError(error, 'OVERLAP_UNDECIDED')) return { witness: null, undecided: true };
    throw error;
  }
}

/** A file path that the request `a` and the held lock path `b` both match, or null. */
export function witnessOf(a: string, b: string): string | null {
  return overlapOf(a, b).witness;
}

/** Work out, before entering the critical section, the overlaps a request will be judged on there. */
export function warmOverlaps(requests: PathRequest[], held: { file_path: string }[]): void {
  for (const lock of held) for (const request of requests) overlapOf(request.path, lock.file_path);
}

function conflictWith(request: PathRequest, held: { agent_id: string; file_path: string; mode: LockMode }, since: string | null): ConflictRecord | null {
  if (!modesConflict(request.mode, held.mode)) return null;
  const overlap = overlapOf(request.path, held.file_path);
  if (overlap.witness === null && !('undecided' in overlap && overlap.undecided)) return null;
  return {
    file_path: request.path, locked_by: held.agent_id, lock_path: held.file_path, since, witness: overlap.witness, kind: 'refused',
    ...(overlap.witness === null ? { undecided: true } : {}),
  };
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
