// The portable way to ask about processes: `ps`, run synchronously (callers judge inside the
// store's synchronous critical section), in the C locale and UTC so its dates parse the same
// everywhere. Options used are those of both procps (Linux) and BSD ps (macOS): -p with a comma
// list, -A, and the keywords pid, ppid, pgid, sess, stat, lstart. One call answers many pids.

import { execFile, spawnSync } from 'node:child_process';

const PS_ENV = { LC_ALL: 'C', LANG: 'C', TZ: 'UTC', PATH: process.env.PATH ?? '/bin:/usr/bin' };

/** What `ps` says of one process. */
export interface PsRow {
  pid: number;
  ppid: number;
  pgid: number;
  /** The session: an id on Linux, an opaque token (a kernel address) on macOS. */
  sess: string;
  /** The first letter of `stat` (R, S, D, T, Z, ...). */
  state: string;
  /** `lstart` in ms since the epoch (whole seconds), when asked for. */
  startMs: number | null;
}

/** Counted for the benchmarks and tests: how many times `ps` ran in this process. */
export const psCalls = { count: 0 };

/** Run ps; its stdout, or null when it could not run. Exit status 1 with no rows is "no such process". */
function runPs(args: string[]): string | null {
  psCalls.count++;
  const result = spawnSync('ps', args, { encoding: 'utf8', env: PS_ENV, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.signal) return null;
  if (result.status !== 0 && result.stdout.trim() !== '') return null;
  return result.stdout;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `lstart` in the C locale and UTC, e.g. `Thu Dec  3 09:21:12 2026`, as ms since the epoch. */
export function parseLstart(words: string[]): number | null {
  const [, month, day, time, year] = words;
  const m = MONTHS.indexOf(month ?? '');
  const [h, min, s] = (time ?? '').split(':').map(Number);
  const ms = Date.UTC(Number(year), m, Number(day), h, min, s);
  return m < 0 || !Number.isFinite(ms) ? null : ms;
}

const STATE_ARGS = (pids: number[]) => ['-o', 'pid=,ppid=,pgid=,stat=,lstart=', '-p', pids.join(',')];

/**
 * State and start of each pid that exists (zombies included); a pid absent from the map does not
 * exist. null when ps could not run (nothing can be said).
 */
export function psStates(pids: number[]): Map<number, PsRow> | null {
  if (pids.length === 0) return new Map();
  return parseStates(runPs(STATE_ARGS(pids)));
}

/** The same without blocking: for asking ahead, outside the critical section. */
export function psStatesAsync(pids: number[]): Promise<Map<number, PsRow> | null> {
  psCalls.count++;
  return new Promise((resolve) => {
    execFile('ps', STATE_ARGS(pids), { encoding: 'utf8', env: PS_ENV, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      const noRows = (error as { code?: unknown } | null)?.code === 1 && stdout.trim() === '';
      resolve(error && !noRows ? null : parseStates(stdout));
    });
  });
}

function parseStates(out: string | null): Map<number, PsRow> | null {
  if (out === null) return null;
  const rows = new Map<number, PsRow>();
  for (const line of out.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length < 9) continue;
    const pid = Number(words[0]);
    rows.set(pid, { pid, ppid: Number(words[1]), pgid: Number(words[2]), sess: '', state: words[3]!.charAt(0), startMs: parseLstart(words.slice(4)) });
  }
  return rows;
}

/** Every process (one snapshot), without start times; null when ps could not run. */
export function psTable(): PsRow[] | null {
  const out = runPs(['-A', '-o', 'pid=,ppid=,pgid=,sess=,stat=']);
  if (out === null) return null;
  const rows: PsRow[] = [];
  for (const line of out.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length < 5) continue;
    rows.push({ pid: Number(words[0]), ppid: Number(words[1]), pgid: Number(words[2]), sess: words[3]!, state: words[4]!.charAt(0), startMs: null });
  }
  return rows;
}

/** Run a small helper program (sysctl, uptime) and return its trimmed stdout, or null. */
export function helperOutput(command: string, args: string[]): string | null {
  const result = spawnSync(command, args, { encoding: 'utf8', env: PS_ENV, stdio: ['ignore', 'pipe', 'ignore'] });
  if (result.error || result.status !== 0) return null;
  return result.stdout.trim() || null;
}
