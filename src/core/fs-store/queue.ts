// The waiting line: one file per waiter in queue/, its ticket from the counter (so order is the
// order of arrival inside the critical section). A waiter whose process is gone, or that did not
// refresh its entry within its lease (stopped, or its loop blocked), is dropped: it lost its place,
// and queues again at the back if it comes back.

import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { kindOf, readRegular, readRegularText } from './regular-file.js';
import { join } from 'node:path';
import { compareBootIds } from '../../platform/boot.js';
import type { PathRequest } from '../store.js';
import type { Instant, MachineFacts } from '../staleness.js';
import { removeFile, replaceFile } from './atomic-file.js';
import type { Layout } from './layout.js';

export interface QueueEntry {
  ticket: number;
  agent_id: string;
  paths: PathRequest[];
  /** The waiting process (not the lock's future owner). */
  pid: number;
  pid_start: number | null;
  host: string;
  boot_id: string | null;
  since: string;
  heartbeat: string;
  heartbeat_mono: number;
  /** Dropped when the heartbeat is older than this (absent in entries of older versions). */
  lease_ms?: number;
}

export { DEFAULT_QUEUE_LEASE_MS, queueRefreshMs } from '../rules/acquire.js';
/** Entries without a lease (older versions refreshed every 5 s) are dropped after this. */
const LEGACY_QUEUE_LEASE_MS = 60_000;

function entryPath(layout: Layout, ticket: number): string {
  return join(layout.queueDir, `${String(ticket).padStart(12, '0')}.json`);
}

function parseEntry(text: string): QueueEntry | null {
  try {
    const value = JSON.parse(text) as QueueEntry;
    const pathsOk = Array.isArray(value.paths) && value.paths.every((p) => typeof p?.path === 'string' && (p.mode === 'shared' || p.mode === 'exclusive'));
    if (!Number.isInteger(value.ticket) || typeof value.agent_id !== 'string' || !pathsOk || !Number.isInteger(value.pid)) return null;
    return value;
  } catch {
    return null;
  }
}

export interface QueueRead {
  entries: QueueEntry[];
  /** Files that do not parse: dropped by the caller inside the critical section. */
  garbage: string[];
}

/** One entry by its file name, or null when it is gone or does not parse. */
export function readEntry(layout: Layout, name: string): QueueEntry | null {
  const text = readRegularText(join(layout.queueDir, name));
  return text === null ? null : parseEntry(text);
}

export function readQueue(layout: Layout): QueueRead {
  const result: QueueRead = { entries: [], garbage: [] };
  let names: string[];
  try {
    names = readdirSync(layout.queueDir);
  } catch {
    return result;
  }
  if (parsed.size > MAX_PARSED) parsed.clear();
  for (const name of names.sort()) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    const path = join(layout.queueDir, name);
    const entry = entryAt(path);
    if (entry === undefined) continue;
    if (entry) result.entries.push(entry);
    else result.garbage.push(path);
  }
  result.entries.sort((a, b) => a.ticket - b.ticket);
  return result;
}

/** Entries read before, by path, with the stats they had (every section reads the whole line). */
const parsed = new Map<string, { ino: number; size: number; mtimeMs: number; ctimeMs: number; entry: QueueEntry }>();
const MAX_PARSED = 4096;

/**
 * The entry at `path`: unchanged since it was last read (a waiter rewrites its entry by rename, so
 * a new version is a new inode), from memory; else read. Undefined: gone or not a regular file;
 * null: does not parse.
 */
function entryAt(path: string): QueueEntry | null | undefined {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats || kindOf(stats) !== null) return undefined;
  const known = parsed.get(path);
  if (known && known.ino === stats.ino && known.size === stats.size && known.mtimeMs === stats.mtimeMs && known.ctimeMs === stats.ctimeMs) return known.entry;
  let read: ReturnType<typeof readRegular>;
  try {
    read = readRegular(path);
  } catch {
    return undefined;
  }
  if (read.kind !== 'file') return undefined;
  const entry = parseEntry(read.text);
  if (entry) parsed.set(path, { ino: read.stats.ino, size: read.stats.size, mtimeMs: read.stats.mtimeMs, ctimeMs: read.stats.ctimeMs, entry });
  else parsed.delete(path);
  return entry;
}

/** The waiter is gone (dead, another boot or host) or its lease ran out: its place is lost. */
export function waiterGone(entry: QueueEntry, now: Instant, facts: MachineFacts): boolean {
  if (entry.host !== facts.host || compareBootIds(entry.boot_id, facts.bootId) === 'different') return true;
  if (facts.pidState(entry.pid, entry.pid_start) === 'dead') return true;
  const lease = typeof entry.lease_ms === 'number' && entry.lease_ms > 0 ? entry.lease_ms : LEGACY_QUEUE_LEASE_MS;
  return now.mono - entry.heartbeat_mono > lease;
}

export function writeEntry(layout: Layout, entry: QueueEntry): void {
  mkdirSync(layout.queueDir, { recursive: true });
  replaceFile(entryPath(layout, entry.ticket), JSON.stringify(entry) + '\n', { step: 'queue' });
}

export function removeEntry(layout: Layout, ticket: number): void {
  removeFile(entryPath(layout, ticket), 'queue');
}

