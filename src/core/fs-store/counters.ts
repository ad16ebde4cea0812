// The store's counters in one small file, written in place once per critical section: the fencing
// token, the mutation generation (how the board knows it is behind), the waiter ticket and the
// message sequence. A missing or corrupt file is recovered from what the files themselves show.

import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { step } from './atomic-file.js';

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

export function readCounters(path: string): Counters | null {
  try {
    return parseCounters(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

export function writeCounters(path: string, counters: Counters): void {
  const text = JSON.stringify(counters);
  const buffer = Buffer.alloc(SIZE, ' ');
  buffer.write(text, 'utf8');
  buffer[SIZE - 1] = 0x0a;
  if (text.length >= SIZE - 1) throw new Error('counters do not fit');
  step('counters.write', path, () => {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      writeSync(fd, buffer, 0, SIZE, 0);
    } finally {
      closeSync(fd);
    }
  });
}
