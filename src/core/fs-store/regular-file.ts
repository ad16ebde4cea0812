// Reading a file of the coordination dir without ever blocking or reading without end: only
// regular files are read. Anything else under a store name (a FIFO, whose open or read blocks
// forever; a symlink to /dev/zero, which never ends; a directory, EISDIR; a socket or device) is
// not one of our records: it is looked at with stat before opening, opened non-blocking, and
// checked again with fstat on the descriptor, so it cannot be swapped in between.

import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

/** What a name that is not a regular file is (for `cleanup`'s report). */
export type NotAFile = 'directory' | 'fifo' | 'socket' | 'device' | 'other';

export function kindOf(stats: Stats): NotAFile | null {
  if (stats.isFile()) return null;
  if (stats.isDirectory()) return 'directory';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'device';
  return 'other';
}

export type RegularRead = { kind: 'file'; stats: Stats; text: string } | { kind: 'gone' } | { kind: 'not-a-file'; what: NotAFile };

/** Records are small; a "record" past this size is not one of ours: read no further. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** Read `path` if it is a regular file (following symlinks to one). Throws only unexpected errors. */
export function readRegular(path: string): RegularRead {
  const before = statSync(path, { throwIfNoEntry: false });
  if (!before) return { kind: 'gone' };
  const what = kindOf(before);
  if (what !== null) return { kind: 'not-a-file', what };
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    const now = kindOf(stats);
    if (now !== null) return { kind: 'not-a-file', what: now };
    const size = Math.min(stats.size, MAX_RECORD_BYTES);
    const buffer = Buffer.allocUnsafe(size + 1);
    let length = 0;
    // A regular file never blocks; one that grew since the stat is read up to the bound.
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, length);
    return { kind: 'file', stats, text: buffer.toString('utf8', 0, Math.min(length, size + 1)) };
  } finally {
    closeSync(fd);
  }
}

/** The text of a regular file, or null when it is missing, not a regular file, or unreadable. */
export function readRegularText(path: string): string | null {
  try {
    const read = readRegular(path);
    return read.kind === 'file' ? read.text : null;
  } catch {
    return null;
  }
}
