// Taking locks inside the critical section, all or nothing: for several paths the txn file marks
// the acquisition as open, the lock files are linked one by one, and removing the txn file commits.
// A crash before that leaves a txn file, and the next section removes its lock files (section.ts).
// A single path needs no txn file: linking its lock file is the commit.

import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { ConflictRecord, HistoryEntry, LockMode, LockRecord } from '../records.js';
import { conflictLogEntries, planGrant } from '../rules/acquire.js';
import type { AcquireRequest, PathRequest, ProcessIdentity } from '../store.js';
import { createFile, createFreeFile, removeFile, removeQuietly, step } from './atomic-file.js';
import { appendLines } from './journal.js';
import { LOCK_SUFFIX } from './layout.js';
import { LOCK_VERSION, remember, serialiseLock, type StoredLock } from './lock-files.js';
import type { Section } from './section.js';

export const LOCK_STEP = 'lock-file';

const names = new Map<string, string>();

/**
 * Readable and unique per (agent, keeper, path, mode): `<slug of path>.<agent>.<hash>.lock`. The
 * keeper is the pid that keeps the lock alive (none: the same name as before keepers counted), so
 * two processes acting under one agent id each have their own record.
 */
export function lockFileName(agentId: string, path: string, mode: LockMode, keeper: number | null = null): string {
  const key = `${agentId}\0${path}\0${mode}\0${keeper ?? ''}`;
  let name = names.get(key);
  if (name === undefined) {
    if (names.size >= 10_000) names.clear();
    names.set(key, (name = nameOf(agentId, path, mode, keeper)));
  }
  return name;
}

/**
 * What every lock file of `agentId` on `path` starts with, whatever its mode and keeper: a waiter
 * that knows only who holds what (a conflict record) recognises the files that can let it in.
 */
export function lockFilePrefix(agentId: string, path: string): string {
  return `${slugOf(path)}.${agentId}.`;
}

function slugOf(path: string): string {
  return path.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 60) || 'root';
}

function nameOf(agentId: string, path: string, mode: LockMode, keeper: number | null): string {
  const slug = slugOf(path);
  const key = `${agentId}\0${path}\0${mode}${keeper === null ? '' : `\0${keeper}`}`;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return `${slug}.${agentId}.${hash}${LOCK_SUFFIX}`;
}

/** Whether a held lock is this request's own: same agent and same keeper (the pid keeping it alive). */
export { sameKeeper } from '../rules/acquire.js';

function newRecord(s: Section, request: AcquireRequest, path: PathRequest, token: number): LockRecord {
  const { liveness } = s.ctx;
  const pid = request.owner.pid;
  return {
    agent_id: request.agentId,
    file_path: path.path,
    timestamp: s.nowIso,
    status: 'active',
    mode: path.mode,
    heartbeat: s.nowIso,
    pid,
    host: liveness.host,
    token,
    expires_at: request.ttlMs != null ? new Date(s.now.wall + request.ttlMs).toISOString() : null,
    version: LOCK_VERSION,
    lease_ms: request.owner.leaseMs,
    pid_start: pid != null ? liveness.processStart(pid) : null,
    boot_id: liveness.bootId,
    timestamp_mono: s.now.mono,
    heartbeat_mono: s.now.mono,
    ...watchdogFields(request.owner.watchdog),
    ...(request.owner.keptFor && pid != null ? { kept_for: request.owner.keptFor } : {}),
  };
}

/** The supervisor's watchdog, named only on records that have one (see staleness.ts). */
export function watchdogFields(watchdog: ProcessIdentity | null | undefined): Pick<LockRecord, 'watchdog_pid' | 'watchdog_pid_start'> {
  return watchdog ? { watchdog_pid: watchdog.pid, watchdog_pid_start: watchdog.start } : {};
}

function openTxn(s: Section, token: number, names: string[]): string {
  const path = s.layout.txn(token);
  step('txn.write', path, () => {
    const fd = openSync(path, 'wx');
    try {
      writeSync(fd, JSON.stringify({ token, pid: process.pid, files: names }) + '\n');
    } finally {
      closeSync(fd);
    }
  });
  return path;
}

export interface Granted {
  locks: LockRecord[];
  token: number;
}

/** Grant the request (the caller found no conflict). Throws STORE_IO with nothing granted. */
export function grant(s: Section, request: AcquireRequest): Granted {
  step('acquire.grant', s.layout.dir, () => undefined);
  // Only this keeper's own records are reused: another process acting under the same agent id gets
  // a record of its own, which its release or death never touches.
  const own = s.live.filter((l) => l.state === 'ok').map((l) => l.record);
  // Asking again for what one already holds, in the same mode, is granted and keeps the record.
  const { kept, fresh } = planGrant(request.agentId, request.owner.pid, request.paths, own);
  if (fresh.length === 0) return { locks: kept, token: Math.max(...kept.map((l) => l.token)) };

  const token = s.nextToken();
  const records = fresh.map((p) => newRecord(s, request, p, token));
  const names = records.map((r) => lockFileName(r.agent_id, r.file_path, r.mode, r.pid));
  const written: string[] = [];
  let txn: string | null = null;
  let committed = false;
  try {
    // One file is placed by one link, which is its own commit point: the txn file is only for
    // acquisitions of several paths, which must be all or nothing.
    if (records.length > 1) txn = openTxn(s, token, names);
    records.forEach((record, i) => {
      const name = names[i]!;
      const place = s.lockNamesOnEntry.has(name) ? createFile : createFreeFile;
      place(s.layout.lock(name), serialiseLock(record), { step: LOCK_STEP });
      s.lockNamesOnEntry.add(name);
      written.push(name);
      remember(s.layout, { name, record, state: 'ok' });
      step('acquire.after-lock-file', name, () => undefined);
    });
    if (txn) removeFile(txn, 'txn');
    committed = true;
    s.mutated();
    s.persist();
    s.history(records.map((r): HistoryEntry => ({ at: s.nowIso, agent_id: r.agent_id, file_path: r.file_path, event: 'locked', token })));
  } catch (error) {
    // Undo without fault points: the failure being tested already happened.
    for (const name of written) removeQuietly(s.layout.lock(name));
    if (txn) removeQuietly(txn);
    if (committed) s.mutated();
    throw error;
  }
  s.live.push(...records.map((record, i): StoredLock => ({ name: names[i]!, record, state: 'ok' })));
  return { locks: [...kept, ...records], token };
}

/** Record refused requests in the conflict log. */
export function logConflicts(s: Section, request: AcquireRequest, conflicts: ConflictRecord[]): void {
  appendLines(s.layout.conflicts, conflictLogEntries(request.agentId, request.paths, conflicts, s.nowIso), 'conflicts');
}
