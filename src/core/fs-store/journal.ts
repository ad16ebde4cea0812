// history.jsonl and conflicts.jsonl: append-only JSON lines, appended inside the critical section
// and trimmed there when they grow past a bound; readers skip lines that do not parse.

import { constants, readFileSync, writeSync } from 'node:fs';
import { readRegularText } from './regular-file.js';
import { replaceFile, step } from './atomic-file.js';
import { forget, handleFor, statOf } from './handles.js';

/** Trim when the file passes this size, keeping the newest KEEP_LINES. */
const TRIM_AT_BYTES = 256 * 1024;
export const KEEP_LINES = 500;

/** Append entries; trims the file when it grew past its bound. `name` is the fault/step prefix. */
export function appendLines(path: string, entries: object[], name: string): void {
  if (entries.length === 0) return;
  const text = entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
  const size = step(`${name}.append`, path, () => appendThroughHandle(path, text));
  if (size > TRIM_AT_BYTES) trim(path, name);
}

/** Append through the kept-open handle; the file's size after it. */
function appendThroughHandle(path: string, text: string): number {
  for (let attempt = 0; ; attempt++) {
    const fd = handleFor(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, false)!;
    try {
      writeSync(fd, text);
    } catch (error) {
      forget(path);
      throw error;
    }
    const stats = statOf(fd);
    if (stats !== null) return stats.size;
    // Deleted by hand while we wrote: the lines went nowhere, so write them to the file there now.
    forget(path);
    if (attempt > 0) return 0;
  }
}

function trim(path: string, name: string): void {
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
  replaceFile(path, lines.slice(-KEEP_LINES).join('\n') + '\n', { step: `${name}.trim` });
  forget(path);
}

/** The newest `count` entries that parse, oldest first; a missing or unreadable file is empty. */
export function readTail<T>(path: string, count: number): T[] {
  const text = readRegularText(path);
  if (text === null) return [];
  const entries: T[] = [];
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0 && entries.length < count; i--) {
    const line = lines[i]!.trim();
    if (!line) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value)) entries.push(value as T);
    } catch {
      // a torn or hand-edited line: skip it
    }
  }
  return entries.reverse();
}
