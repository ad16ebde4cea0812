// Releasing and renewing held locks inside a section: which lock files go (a history entry for
// each) or are rewritten with a fresh heartbeat, and which expected locks were lost.

import type { HistoryEntry, LockRecord } from '../records.js';
import type { RenewOptions, RenewResult } from '../store.js';
import { keptFor } from '../rules/acquire.js';
import { lstatSync, rmSync } from 'node:fs';
import { removeFile, replaceFile, step } from './atomic-file.js';
import { LOCK_STEP, watchdogFields } from './grant.js';
import { listDir, notFiles, remember, serialiseLock, unreadableStandIn, type StoredLock } from './lock-files.js';
import type { Section } from './section.js';

/**
 * Whether the lock is the agent's to release: its agent id; with `pid`, kept alive by that pid for
 * the agent (a supervisor releasing what it kept for an agent, under any id; a process releasing
 * only its own records, never those of another process acting under the same id). Unlike
 * rules/acquire.ts's mayRelease, a file that reads but whose lock path does not parse (its record
 * names it `unreadable`) is its agent's to release: only a file that cannot be read is nobody's.
 */
export function releasable(lock: StoredLock, agentId: string, pid: number | undefined, anyId: boolean): boolean {
  if (lock.state === 'unreadable') return false;
  if (pid === undefined) return lock.record.agent_id === agentId;
  if (lock.record.pid !== pid) return false;
  return anyId ? keptFor(lock.record) === agentId : lock.record.agent_id === agentId;
}

/** Remove the agent's locks that `select` picks (with `force`, anyone's); history for each. */
export function removeLocks(s: Section, agentId: string, force: boolean, select: (lock: StoredLock) => boolean, mine: (lock: StoredLock) => boolean = (lock) => releasable(lock, agentId, undefined, false)): LockRecord[] {
  const targets = s.live.filter((lock) => (force || mine(lock)) && select(lock));
  const released: LockRecord[] = [];
  const entries: HistoryEntry[] = [];
  try {
    for (const lock of targets) {
      if (!removeFile(s.layout.lock(lock.name), LOCK_STEP)) continue;
      released.push(lock.record);
      const forced = !mine(lock);
      entries.push({ at: s.nowIso, agent_id: lock.record.agent_id, file_path: lock.record.file_path, event: forced ? 'forced' : 'released', token: lock.record.token, ...(forced ? { by: agentId } : {}) });
    }
  } finally {
    if (released.length > 0) {
      s.live = s.live.filter((l) => !released.includes(l.record));
      s.mutated();
      s.history(entries);
    }
  }
  return released;
}

/**
 * Remove what is named like a lock file but is not a regular file (readers ignore it: a FIFO would
 * block them, a symlink to /dev/zero never end): a symlink itself, never what it points to; a
 * directory with its contents. Stand-in records say what each was.
 */
export function removeNotFiles(s: Section): LockRecord[] {
  const removed: LockRecord[] = [];
  for (const { name, what } of notFiles(s.layout, listDir(s.layout).lockNames)) {
    const path = s.layout.lock(name);
    const link = lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() === true;
    step('not-a-file.remove', path, () => rmSync(path, { recursive: !link && what === 'directory', force: true }));
    removed.push({ ...unreadableStandIn(name, s.nowIso), not_a_file: link ? `symlink to ${what}` : what });
  }
  if (removed.length > 0) s.mutated();
  return removed;
}

export function renewInside(s: Section, agentId: string, options: RenewOptions): RenewResult {
  const renewed: LockRecord[] = [];
  for (const lock of s.live) {
    // Every lock this pid keeps for the agent, whatever id it was taken under.
    if (lock.state !== 'ok' || lock.record.pid !== options.pid || keptFor(lock.record) !== agentId) continue;
    const record: LockRecord = { ...lock.record, heartbeat: s.nowIso, heartbeat_mono: s.now.mono, ...watchdogFields(options.watchdog) };
    // Only files that exist now are rewritten: a lock that is gone is never brought back.
    replaceFile(s.layout.lock(lock.name), serialiseLock(record), { step: LOCK_STEP });
    lock.record = record;
    remember(s.layout, lock);
    renewed.push(record);
  }
  if (renewed.length > 0) s.mutated();
  return { renewed, lost: lostOf(s.live, options.expected ?? []) };
}

function lostOf(live: StoredLock[], expected: LockRecord[]): LockRecord[] {
  return expected.filter((e) => !live.some((l) => l.record.agent_id === e.agent_id && l.record.file_path === e.file_path && l.record.token === e.token));
}
