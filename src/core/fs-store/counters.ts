// The store's counters in one small file, written in place once per critical section: the fencing
// token, the mutation generation (how the board knows it is behind), the waiter ticket and the
// message sequence. A missing or corrupt file is recovered from what the files themselves show.
// Read and written through a descriptor kept open (handles.ts): no path lookup per section.

import { constants, readFileSync, readSync, writeSync } from 'node:fs';
import { step } from './atomic-file.js';
import { forget, handleFor } from './handles.js';

export interface Counters {
  /** Last fencing token issued. */
  token: number;
  /** Bumped by every mutation, after its changes are visible. */
  generation: number;
  /** Last waiter ticket issued. */
  ticket: number;
  /** Last message sequence number issued. */
  message: number;
  /** The generation the board file last showed, and when (monotonic ms) it was written. */
  board_generation: number;
  board_mono: number;
}

// Fixed size, written at offset 0 without truncating: a crash cannot leave it empty.
const SIZE = 256;

const FIELDS: (keyof Counters)[] = ['token', 'generation', 'ticket', 'message', 'board_generation', 'board_mono'];

export function parseCounters(text: string): Counters | null {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const result = {} as Counters;
    for (const field of FIELDS) {
      const n = value[field];
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return null;
      result[field] = n;
    }
    return result;
  } catch {
    return null;
  }
}

// Reused: a section reads and writes the counters once each, synchronously.
const readBuffer = Buffer.alloc(SIZE * 4);
const writeBuffer = Buffer.alloc(SIZE);

/** The counters, or null when the file is missing or does not parse (the caller recovers them). */
export function readCounters(path: string): Counters | null {
  try {
    const fd = handleFor(path, constants.O_RDWR, true);
    if (fd === null) return null;
    const read = readSync(fd, readBuffer, 0, readBuffer.length, 0);
    return parseCounters(readBuffer.toString('utf8', 0, read));
  } catch {
    forget(path);
    return readByPath(path);
  }
}

/** Without a writable handle (a read-only dir): read it by path. */
function readByPath(path: string): Counters | null {
  try {
    return parseCounters(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

export function writeCounters(path: string, counters: Counters): void {
  const text = JSON.stringify(counters);
  const buffer = writeBuffer.fill(' ');
  buffer.write(text, 'utf8');
  buffer[SIZE - 1] = 0x0a;
  if (text.length >= SIZE - 1) throw new Error('counters do not fit');
  step('counters.write', path, () => {
    try {
      writeSync(handleFor(path, constants.O_RDWR | constants.O_CREAT, false)!, buffer, 0, SIZE, 0);
    } catch (error) {
      forget(path);
      throw error;
    }
  });
}
