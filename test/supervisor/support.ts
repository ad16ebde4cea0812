// What the supervisor tests share: a throwaway project with an agents.config.json whose agents run
// the fixtures in test/fixtures/agents, running the built CLI in it (to the end, or in the
// background), reading lock files as an independent witness, and a guard against leaked processes.

import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { sectionHolder } from '../../src/core/fs-store/mutex.js';
import { runCli, spawnCli, type CliOptions, type CliResult } from '../helpers/cli.js';
import { testDir, type Tree } from '../helpers/tempdir.js';
import { isGone, waitFor } from '../helpers/wait-for.js';

export const LOCK_DIR = join('data', '.agent_locks');
const FIXTURES = fileURLToPath(new URL('../fixtures/agents/', import.meta.url));

/** `node <fixture> args...` as a shell string (paths quoted). */
export function fixture(name: string, ...args: string[]): string {
  return [process.execPath, join(FIXTURES, `${name}.mjs`), ...args].map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
}

/** The same as an argv array. */
export function fixtureArgv(name: string, ...args: string[]): string[] {
  return [process.execPath, join(FIXTURES, `${name}.mjs`), ...args];
}

export interface ConfigShape {
  heartbeatMs?: number;
  shutdownGraceMs?: number;
  onConflict?: 'wait' | 'fail';
  lockTimeoutMs?: number | null;
  agents: Record<string, unknown>[];
}

/** A project holding agents.config.json (short heartbeat and grace unless said otherwise). */
export function project(config: ConfigShape, tree: Tree = {}): string {
  const full = { heartbeatMs: 1_000, shutdownGraceMs: 1_000, ...config };
  return testDir({ 'agents.config.json': JSON.stringify(full, null, 2), ...tree });
}

export function cli(root: string, args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runCli(args, { cwd: root, timeoutMs: 45_000, ...options });
}

export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start the CLI in the background; it is SIGKILLed (with its agents, by the watchdog) if the test leaves it. */
export function start(root: string, args: string[], options: CliOptions = {}): Running {
  const child = spawnCli(args, { cwd: root, ...options });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin!.end();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

export interface LockFile {
  agent_id: string;
  file_path: string;
  mode: string;
  pid: number | null;
  token: number;
}

/** The lock records on disk (the truth), read directly. */
export function locksOnDisk(root: string): LockFile[] {
  return locksIn(join(root, LOCK_DIR));
}

/** The lock records in a coordination dir, read directly. */
export function locksIn(dir: string): LockFile[] {
  if (!existsSync(dir)) return [];
  const locks: LockFile[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.lock')) continue;
    try {
      locks.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as LockFile);
    } catch {
      // Removed while we listed.
    }
  }
  return locks;
}

export function history(root: string): { agent_id: string; file_path: string; event: string }[] {
  const file = join(root, LOCK_DIR, 'history.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { agent_id: string; file_path: string; event: string });
}

/** The pids an agent fixture printed (`ready <pid>`, `grandchild <pid>`). */
export function printedPids(stdout: string, word: 'ready' | 'grandchild'): number[] {
  return [...stdout.matchAll(new RegExp(`${word} (\\d+)`, 'g'))].map((m) => Number(m[1]));
}

export async function allGone(pids: number[], timeoutMs = 5_000): Promise<void> {
  await waitFor(() => pids.every(isGone), { timeoutMs, what: `processes ${pids.join(', ')} to be gone` });
}

/** Kill pids a failed test may have left (never a broad pattern: only what the test saw). */
export function reap(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

function procState(pid: number): string | undefined {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0];
}

/**
 * SIGSTOP `pid` outside the critical section of `dir` (stopped inside it, it blocks every writer:
 * STORE_BUSY, by design), continuing and stopping it again until it is.
 */
export async function stopOutsideSection(pid: number, dir: string): Promise<void> {
  await waitFor(
    async () => {
      process.kill(pid, 'SIGSTOP');
      await waitFor(() => procState(pid) === 'T', { what: `pid ${pid} to stop` });
      if (sectionHolder(dir)?.pid !== pid) return true;
      process.kill(pid, 'SIGCONT');
      return false;
    },
    { what: `pid ${pid} stopped outside the critical section` },
  );
}
