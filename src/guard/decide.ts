// The guard's decision for literal paths: block when another agent holds an overlapping lock
// (exclusive or shared: a write conflicts with both); with claim, take the free paths that this
// agent does not already hold exclusively, all or nothing, without jumping the queue.

import { matchesPath, parsePattern } from '../core/glob/index.js';
import { escapeLiteral } from '../core/glob/index.js';
import type { ConflictRecord, LockRecord } from '../core/records.js';
import type { LockOwner, Store } from '../core/store.js';
import type { BlockedPath } from './reason.js';

export interface DecideOptions {
  claim: boolean;
  owner: LockOwner;
}

export type Decision =
  | { kind: 'allow'; claimed: string[] }
  | { kind: 'block'; blocked: BlockedPath[] };

export async function decide(store: Store, agentId: string, paths: string[], options: DecideOptions): Promise<Decision> {
  const byLockPath = new Map(paths.map((path) => [escapeLiteral(path), path]));
  const requests = [...byLockPath.keys()].map((path) => ({ path, mode: 'exclusive' as const }));
  const conflicts = await store.check(agentId, requests);
  if (conflicts.length) return { kind: 'block', blocked: blockedPaths(conflicts, byLockPath) };
  if (!options.claim) return { kind: 'allow', claimed: [] };

  const own = (await store.listLocks()).filter((l) => l.agent_id === agentId && l.mode === 'exclusive');
  const wanted = requests.filter((r) => !coveredBy(own, byLockPath.get(r.path)!));
  if (!wanted.length) return { kind: 'allow', claimed: [] };
  const result = await store.acquire({ agentId, paths: wanted, owner: options.owner, wait: false });
  if (!result.granted) return { kind: 'block', blocked: blockedPaths(result.conflicts, byLockPath) };
  return { kind: 'allow', claimed: wanted.map((r) => byLockPath.get(r.path)!) };
}

function coveredBy(locks: LockRecord[], path: string): boolean {
  return locks.some((lock) => matchesPath(parsePattern(lock.file_path), path));
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
