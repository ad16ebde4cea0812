// File descriptors kept open across critical sections for the files the store writes in place or
// appends to (counters.json, history.jsonl, conflicts.jsonl): every section uses them, and opening
// them by path each time is most of a short section's system calls. A handle is checked before use:
// a file that was replaced (a journal trimmed by rename) or deleted by hand has no links left, and
// is opened again by path, so a stale handle is never written through twice.

import { closeSync, fstatSync, openSync, type Stats } from 'node:fs';

const MAX_OPEN = 32;
const open = new Map<string, number>();

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed: nothing to release
  }
}

/** The file's stats through the handle, or null when the handle is no longer the file at `path`. */
export function statOf(fd: number): Stats | null {
  try {
    const stats = fstatSync(fd);
    return stats.nlink > 0 ? stats : null;
  } catch {
    return null;
  }
}

/**
 * An open descriptor for `path`, opened with `flags` when none is held; null when the file does
 * not exist and `flags` do not create it. With `verify`, a held one that was unlinked is replaced
 * first; without, the caller checks after using it (a journal's append), or it was verified
 * earlier in the same critical section (the counters, read on entry, written at the end).
 */
export function handleFor(path: string, flags: number, verify: boolean): number | null {
  const held = open.get(path);
  if (held !== undefined) {
    if (!verify || statOf(held) !== null) return held;
    forget(path);
  }
  let fd: number;
  try {
    fd = openSync(path, flags, 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (open.size >= MAX_OPEN) {
    const [oldest] = open.keys();
    if (oldest !== undefined) forget(oldest);
  }
  open.set(path, fd);
  return fd;
}

/** Close the handle for `path` (after a write through it failed, or when it is replaced). */
export function forget(path: string): void {
  const fd = open.get(path);
  if (fd === undefined) return;
  open.delete(path);
  closeQuietly(fd);
}

/** Close every handle under `dir` (the store is closed). */
export function forgetUnder(dir: string): void {
  for (const path of [...open.keys()]) if (path.startsWith(`${dir}/`)) forget(path);
}
