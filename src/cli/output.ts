// How commands print: plain tables and sentences for people, JSON for --json, colour only on a TTY
// and never when NO_COLOR is set (https://no-color.org). Nothing here exits or reads the store.

import type { Writable } from 'node:stream';
import { formatClock } from '../core/clock-text.js';
import { formatDuration } from '../core/duration.js';
import type { ConflictRecord, LockRecord } from '../core/records.js';

type Stream = Writable & { isTTY?: boolean };

export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

const PLAIN: Paint = { bold: (t) => t, dim: (t) => t, red: (t) => t, green: (t) => t, yellow: (t) => t };

const sgr = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;
const ANSI: Paint = { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39) };

/** Colour when the stream is a terminal, unless NO_COLOR is set to anything but the empty string. */
export function wantsColor(stream: Stream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

export function paintFor(stream: Stream, env: NodeJS.ProcessEnv): Paint {
  return wantsColor(stream, env) ? ANSI : PLAIN;
}

/** Pretty JSON for one value (what `--json` prints). */
export function writeJson(stream: Stream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** One JSON value per line (streams such as `inbox --follow --json`). */
export function writeJsonLine(stream: Stream, value: unknown): void {
  stream.write(`${JSON.stringify(value)}\n`);
}

export function writeLines(stream: Stream, lines: string[]): void {
  if (lines.length) stream.write(`${lines.join('\n')}\n`);
}

/** A warning or note for people, on stderr, prefixed like every other agentvisor line there. */
export function warn(stream: Stream, text: string): void {
  stream.write(`agentvisor: ${text}\n`);
}

/**
 * A plain table: a header row and left-aligned columns separated by two spaces. Widths are
 * computed on the plain text so colour never breaks alignment; `paint` colours the header only.
 */
export function table(headers: string[], rows: string[][], paint: Paint = PLAIN): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [paint.bold(line(headers)), ...rows.map(line)];
}

export { formatClock };

/** How long ago an ISO stamp was: `4s`, `3m 5s`; `-` when unknown. */
export function formatAge(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '-';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '-';
  return formatDuration(Math.max(0, now - at));
}

/** A path or glob quoted for a sentence. */
export function code(text: string): string {
  return `\`${text}\``;
}

/** A value quoted for a shell command line (single quotes, safe for any content). */
export function shellQuote(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * One conflict as a sentence a person (or an agent) can act on: who holds what, how it overlaps
 * the request, and the command that asks for it. `locks` (live locks) supply the holder's mode and
 * token; a conflict with no matching lock is an earlier waiter in line. `now` decides whether the
 * time needs its date (it is injected so that the sentence does not depend on the day it is read).
 */
export function describeConflict(conflict: ConflictRecord, locks: LockRecord[], now: Date = new Date()): string {
  const held = conflict.lock_path ?? conflict.file_path;
  const holder = conflict.locked_by ?? 'another agent';
  const lock = locks.find((l) => l.agent_id === conflict.locked_by && l.file_path === conflict.lock_path);
  const since = conflict.since ?? lock?.timestamp;
  const sinceText = since ? `since ${formatClock(since, now)}` : undefined;
  const head = lock
    ? `${code(held)} is held by ${holder} (${[lock.mode, sinceText, `token ${lock.token}`].filter(Boolean).join(', ')})`
    : `${code(held)} is awaited by ${holder}, who is earlier in line${sinceText ? ` (${sinceText})` : ''}`;
  let overlap = '';
  if (held !== conflict.file_path) {
    const example = conflict.witness && conflict.witness !== conflict.file_path ? `, e.g. ${code(conflict.witness)}` : '';
    overlap = `; it overlaps ${code(conflict.file_path)}${example}`;
  }
  const ask = lock && conflict.locked_by
    ? ` Ask for it: agentvisor send ${conflict.locked_by} --type handoff ${shellQuote(`please release ${held}`)}`
    : '';
  return `${head}${overlap}.${ask}`;
}
