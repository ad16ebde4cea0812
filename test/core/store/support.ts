// Running store fixture processes (test/fixtures/store/*.mjs, importing the built library) and
// reading what they print.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { mutexHolder } from '../../../src/core/fs-store/mutex.js';
import type { LockRecord } from '../../../src/core/records.js';
import { cleanEnv } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/wait-for.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/store/', import.meta.url));

export interface Line {
  op: string;
  result?: unknown;
  error?: { code?: string; message: string; facts?: Record<string, unknown> };
  [key: string]: unknown;
}

export interface Actor {
  child: ChildProcess;
  lines: Line[];
  /** Resolves with the first printed line (from now on or already printed) that matches. */
  line(match: (line: Line) => boolean, what?: string): Promise<Line>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export type Op = Record<string, unknown> & { op: string };

/** Start actor.mjs with a script of ops. stdin stays open: a `hold` op lasts until `end()`. */
export function spawnActor(dir: string, ops: Op[], env: Record<string, string | undefined> = {}): Actor {
  return spawnFixture('actor.mjs', [dir, JSON.stringify(ops)], env);
}

export function spawnFixture(name: string, args: string[], env: Record<string, string | undefined> = {}, cwd?: string): Actor {
  const child = spawn(process.execPath, [FIXTURES + name, ...args], { env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
  const lines: Line[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as Line);
    } catch {
      lines.push({ op: 'text', result: text });
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    line: (match, what = 'a line') => waitFor(() => lines.find(match), { what: `${what} (stderr: ${stderr})` }),
    exited,
    stderr: () => stderr,
  };
}

/** Run the ops to the end; the printed lines, and how the process ended. */
export async function runActor(dir: string, ops: Op[], env: Record<string, string | undefined> = {}): Promise<{ lines: Line[]; code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const actor = spawnActor(dir, ops, env);
  actor.child.stdin!.end();
  const { code, signal } = await actor.exited;
  return { lines: actor.lines, code, signal, stderr: actor.stderr() };
}

export function resultOf<T>(lines: Line[], op: string, index = 0): T {
  const found = lines.filter((l) => l.op === op)[index];
  if (!found) throw new Error(`no "${op}" line #${index} in ${JSON.stringify(lines)}`);
  if (found.error) throw new Error(`"${op}" failed: ${found.error.message}`);
  return found.result as T;
}

/** Whether a live process holds the store's mutex (the owner tag of the chain's highest name). */
export function mutexHeld(dir: string): boolean {
  return mutexHolder(dir) !== null;
}

/** What is in the coordination dir, by kind. */
export function listing(dir: string): { locks: string[]; txns: string[]; temps: string[] } {
  const names = existsSync(dir) ? readdirSync(dir) : [];
  return {
    locks: names.filter((n) => n.endsWith('.lock') && !n.startsWith('.')),
    txns: names.filter((n) => n.startsWith('txn-')),
    temps: names.filter((n) => n.startsWith('.tmp.')),
  };
}

/** A lock record as another process (or a person, or the seed tool) might have left it. */
export function lockRecord(overrides: Partial<LockRecord> & Pick<LockRecord, 'agent_id' | 'file_path'>): LockRecord {
  const now = new Date().toISOString();
  return { timestamp: now, status: 'active', mode: 'exclusive', heartbeat: now, pid: null, host: hostname(), token: 1, expires_at: null, version: 1, ...overrides };
}

export function writeLockFile(dir: string, name: string, content: LockRecord | string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** The pid of a process that has exited and been reaped. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

/** Watches `probe` for `ms`: true when it never turned true (a negative observation, not a sync point). */
export async function staysFalse(probe: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (probe()) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return !probe();
}
