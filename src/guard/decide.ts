// The guard's decision for literal paths: block when another agent holds an overlapping lock
// (exclusive or shared: a write conflicts with both); with claim, take the free paths that this
// agent does not already hold exclusively, all or nothing, without jumping the queue.

import { holderConflicts, lockCovers, patternOf } from '../core/rules/conflicts.js';
import { escapeLiteral } from '../core/glob/index.js';
import type { ConflictRecord, LockRecord } from '../core/records.js';
import type { LockOwner, PathRequest, Store } from '../core/store.js';
import type { BlockedPath } from './reason.js';

export type Decision =
  | { kind: 'allow'; claimed: string[] }
  | { kind: 'block'; blocked: BlockedPath[] };

interface Asked {
  /** Each path's lock path (its escaped literal) → the path as the tool named it. */
  byLockPath: Map<string, string>;
  requests: PathRequest[];
}

/** Each path as an exclusive request on its escaped literal: what a write would need. */
function ask(paths: string[]): Asked {
  const byLockPath = new Map(paths.map((path) => [escapeLiteral(path), path]));
  const requests = [...byLockPath.keys()].map((path) => ({ path, mode: 'exclusive' as const }));
  // As the store's check does: a request that does not parse is an error (INVALID_GLOB), not a miss.
  for (const request of requests) patternOf(request.path);
  return { byLockPath, requests };
}

/**
 * Without --claim: the decision from the live locks alone, as the store's check makes it, without
 * opening the store (the hot path: no mutex, nothing written).
 */
export function decideFromLocks(held: LockRecord[], agentId: string, paths: string[]): Decision {
  const { byLockPath, requests } = ask(paths);
  const conflicts = holderConflicts(agentId, requests, held);
  if (conflicts.length) return { kind: 'block', blocked: blockedPaths(conflicts, byLockPath) };
  return { kind: 'allow', claimed: [] };
}

/** With --claim: block on a holder, else take what this agent does not hold yet. */
export async function decideClaim(store: Store, agentId: string, paths: string[], owner: LockOwner): Promise<Decision> {
  const { byLockPath, requests } = ask(paths);
  const conflicts = await store.check(agentId, requests);
  if (conflicts.length) return { kind: 'block', blocked: blockedPaths(conflicts, byLockPath) };

  const own = (await store.listLocks()).filter((l) => l.agent_id === agentId && l.mode === 'exclusive');
  const wanted = requests.filter((r) => !coveredBy(own, byLockPath.get(r.path)!));
  if (!wanted.length) return { kind: 'allow', claimed: [] };
  const result = await store.acquire({ agentId, paths: wanted, owner, wait: false });
  if (!result.granted) return { kind: 'block', blocked: blockedPaths(result.conflicts, byLockPath) };
  return { kind: 'allow', claimed: wanted.map((r) => byLockPath.get(r.path)!) };
}

/** Whether one of these locks covers the path (a literal lock covers what lies under it). */
function coveredBy(locks: LockRecord[], path: string): boolean {
  return locks.some((lock) => lockCovers(lock.file_path, path));
}

/** One entry per blocked path (its first conflict), in the order the tool named them. */
function blockedPaths(conflicts: ConflictRecord[], byLockPath: Map<string, string>): BlockedPath[] {
  const blocked: BlockedPath[] = [];
  for (const conflict of conflicts) {
    const path = byLockPath.get(conflict.file_path) ?? conflict.file_path;
    if (!blocked.some((b) => b.path === path)) blocked.push({ path, conflict });
  }
  return blocked;
}
