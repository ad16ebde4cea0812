// Lock files: one JSON lock record per `*.lock` file. Reading is lenient about what it can
// understand (records from the seed tool lack our extra fields) and strict about safety: a file
// that does not parse, or that a newer agentvisor wrote, still counts as held (docs/file-store.md,
// "Corrupt and unknown files").

import { lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import type { LockMode, LockRecord } from '../records.js';
import { checkPatternSyntax } from '../glob/index.js';
import { LOCK_SUFFIX, txnToken, type Layout } from './layout.js';
import { kindOf, readRegular, type NotAFile } from './regular-file.js';

export const LOCK_VERSION = 1;
/** The lock path an unreadable lock file is taken to hold: everything. */
export const UNREADABLE_LOCK_PATH = '**';
/**
 * Who holds an unreadable lock: a name no agent id can be (ids start with a letter or digit), so no
 * requester ever counts it as its own and skips it.
 */
export const UNREADABLE_HOLDER = '(unreadable)';

/**
 * ok: ours to judge and rewrite. unreadable: does not parse, held by `(unreadable)` on everything.
 * future: a newer agentvisor's, judged by file age. invalid: ours but its lock path does not parse
 * (an older or outside writer), held by its agent on everything, judged by its own fields.
 */
export type LockState = 'ok' | 'unreadable' | 'future' | 'invalid';

export interface StoredLock {
  /** File name in the coordination dir. */
  name: string;
  record: LockRecord;
  /** Only `ok` locks are rewritten (renewed); the others are held as they are. */
  state: LockState;
  /** What staleness judges when it is not `record`: the file's age (future), the original record (invalid). */
  judgedAs?: LockRecord;
}

/** The record staleness should judge for this lock. */
export function judgedRecord(lock: StoredLock): LockRecord {
  return lock.judgedAs ?? lock.record;
}

export interface DirListing {
  lockNames: string[];
  /** Tokens of acquisitions in progress (or abandoned by a crash inside the critical section). */
  txnTokens: number[];
  /** Everything else, for sweeps. */
  others: string[];
}

export function listDir(layout: Layout): DirListing {
  const listing: DirListing = { lockNames: [], txnTokens: [], others: [] };
  let names: string[];
  try {
    names = readdirSync(layout.dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return listing;
    throw error;
  }
  for (const name of names) {
    if (name.endsWith(LOCK_SUFFIX) && !name.startsWith('.')) listing.lockNames.push(name);
    else {
      const token = txnToken(name);
      if (token !== null) listing.txnTokens.push(token);
      else listing.others.push(name);
    }
  }
  return listing;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function isoOrNull(v: unknown): string | null {
  const s = str(v);
  return s !== null && !Number.isNaN(Date.parse(s)) ? s : null;
}

/** Best reading of a record; null when it names no agent and path (then it is unreadable). */
export function parseLockRecord(text: string, mtimeIso: () => string): { record: LockRecord; state: LockState } | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const value = raw as Record<string, unknown>;
  const agent = str(value.agent_id);
  const path = str(value.file_path);
  if (!agent || !path) return null;
  const timestamp = isoOrNull(value.timestamp) ?? mtimeIso();
  const version = num(value.version);
  const mode: LockMode = value.mode === 'shared' ? 'shared' : 'exclusive';
  const pid = num(value.pid);
  const record: LockRecord = {
    ...(value as object),
    agent_id: agent,
    file_path: path,
    timestamp,
    status: 'active',
    mode,
    heartbeat: isoOrNull(value.heartbeat) ?? timestamp,
    pid: pid !== null && Number.isInteger(pid) && pid > 0 ? pid : null,
    host: str(value.host) ?? '',
    token: num(value.token) ?? 0,
    expires_at: isoOrNull(value.expires_at),
    version: version ?? LOCK_VERSION,
    lease_ms: num(value.lease_ms),
    pid_start: num(value.pid_start),
    boot_id: str(value.boot_id),
    timestamp_mono: num(value.timestamp_mono),
    heartbeat_mono: num(value.heartbeat_mono),
  };
  return { record, state: version !== null && version > LOCK_VERSION ? 'future' : 'ok' };
}

/** A record that stands for a file we cannot (or must not) interpret: judged by its age alone. */
function byFileAge(record: LockRecord, mtimeIso: string): LockRecord {
  return {
    ...record,
    timestamp: mtimeIso,
    heartbeat: mtimeIso,
    pid: null,
    expires_at: null,
    lease_ms: null,
    pid_start: null,
    boot_id: null,
    timestamp_mono: null,
    heartbeat_mono: null,
  };
}

export function unreadableStandIn(name: string, mtimeIso: string): LockRecord {
  const base: LockRecord = {
    agent_id: UNREADABLE_HOLDER,
    file_path: UNREADABLE_LOCK_PATH,
    timestamp: mtimeIso,
    status: 'active',
    mode: 'exclusive',
    heartbeat: mtimeIso,
    pid: null,
    host: '',
    token: 0,
    expires_at: null,
    unreadable: name,
  };
  return base;
}

interface CachedLock {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  lock: StoredLock;
}

/**
 * What each lock file said, by path and file identity: a lock file is never changed in place (a
 * new one is linked, a renewal renamed over it), so the same inode, size and times mean the same
 * record, and a section reads one stat per held lock instead of the whole file. (A person editing a
 * file in place, keeping its size, within one clock tick of the last read, would go unseen until
 * the file changes again.)
 */
const cache = new Map<string, CachedLock>();
const MAX_CACHED_LOCKS = 10_000;

function copyOf(lock: StoredLock): StoredLock {
  return { ...lock, record: { ...lock.record } };
}

/** Read one lock file; null when it is gone (released meanwhile). */
export function readLock(layout: Layout, name: string): StoredLock | null {
  const path = layout.lock(name);
  const known = cache.get(path);
  if (known) {
    const stats = statSync(path, { throwIfNoEntry: false });
    if (!stats) {
      cache.delete(path);
      return null;
    }
    if (stats.ino === known.ino && stats.size === known.size && stats.mtimeMs === known.mtimeMs && stats.ctimeMs === known.ctimeMs) return copyOf(known.lock);
  }
  const read = readWhole(path);
  if (!read) {
    cache.delete(path);
    return null;
  }
  const { stats, text } = read;
  const lock = interpret(name, text, stats.mtime.toISOString());
  keep(path, stats, lock);
  return copyOf(lock);
}

/** A lock file this process just wrote: its next reading here is a stat, not a read. */
export function remember(layout: Layout, lock: StoredLock): void {
  const path = layout.lock(lock.name);
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats) keep(path, stats, copyOf(lock));
}

function keep(path: string, stats: Stats, lock: StoredLock): void {
  if (cache.size >= MAX_CACHED_LOCKS) cache.clear();
  cache.set(path, { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, lock });
}

/**
 * The text and the stats of the same open file (so the cache key matches what was read); null
 * when it is gone, or is not a regular file (a FIFO, a directory, a symlink to a device: not a
 * lock of anyone's; ignored here, reported and removed by `cleanup`).
 */
function readWhole(path: string): { stats: Stats; text: string } | null {
  const read = readRegular(path);
  return read.kind === 'file' ? read : null;
}

/** Lock file names that are not regular files, and what each is (for `cleanup`). */
export function notFiles(layout: Layout, names: string[]): { name: string; what: NotAFile | 'dangling symlink' }[] {
  const found: { name: string; what: NotAFile | 'dangling symlink' }[] = [];
  for (const name of names) {
    const stats = statSync(layout.lock(name), { throwIfNoEntry: false });
    if (!stats) {
      if (lstatSync(layout.lock(name), { throwIfNoEntry: false })?.isSymbolicLink()) found.push({ name, what: 'dangling symlink' });
      continue;
    }
    const what = kindOf(stats);
    if (what !== null) found.push({ name, what });
  }
  return found;
}

function interpret(name: string, text: string, mtimeIso: string): StoredLock {
  const parsed = parseLockRecord(text, () => mtimeIso);
  if (!parsed) return { name, record: unreadableStandIn(name, mtimeIso), state: 'unreadable' };
  const { record } = parsed;
  if (parsed.state === 'future') return { name, record: coverAllIfInvalid(record, name), state: 'future', judgedAs: byFileAge(record, mtimeIso) };
  if (!validLockPath(record.file_path)) return { name, record: coverAllIfInvalid(record, name), state: 'invalid', judgedAs: record };
  return { name, record, state: 'ok' };
}

/**
 * Whether the text is a lock path (syntax only: compiling every held glob would cost a fresh
 * process milliseconds per lock; one that still fails to compile covers everything in conflicts.ts).
 */
function validLockPath(path: string): boolean {
  try {
    checkPatternSyntax(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A lock path we cannot parse could cover anything: it stands as an exclusive lock on everything,
 * still held by its agent, marked `unreadable` so status shows which file it is.
 */
function coverAllIfInvalid(record: LockRecord, name: string): LockRecord {
  if (validLockPath(record.file_path)) return record;
  return { ...record, file_path: UNREADABLE_LOCK_PATH, mode: 'exclusive', unreadable: name };
}

/** Whether the record carries a token of ours (an abandoned acquisition's files are removed by it). */
export function carriesToken(lock: StoredLock): boolean {
  return lock.state === 'ok' || lock.state === 'invalid';
}

export function readLocks(layout: Layout, names: string[]): StoredLock[] {
  const locks: StoredLock[] = [];
  for (const name of names) {
    const lock = readLock(layout, name);
    if (lock) locks.push(lock);
  }
  return locks;
}

export function serialiseLock(record: LockRecord): string {
  return `${JSON.stringify(record)}\n`;
}
