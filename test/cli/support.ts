// What the CLI tests share: a throwaway project (root marked by agents.config.json), running the
// built CLI in it, and collecting a long-running command's output as it comes.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { onTestFinished } from 'vitest';
import { runCli, spawnCli, type CliOptions, type CliResult } from '../helpers/cli.js';
import { freshScope, pgUrl } from '../helpers/pg.js';
import type { StoreName } from '../helpers/stores.js';
import { testDir, type Tree } from '../helpers/tempdir.js';

export const LOCK_DIR = join('data', '.agent_locks');

/** A project whose root holds agents.config.json naming `agents` (ids only: send reads just those). */
export function project(agents: string[] = [], tree: Tree = {}): string {
  const config = { agents: agents.map((id) => ({ id, command: 'true' })) };
  return testDir({ 'agents.config.json': JSON.stringify(config), ...tree });
}

export function cli(root: string, args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runCli(args, { cwd: root, ...options });
}

/**
 * `cli` and `start` on one store: the file store in the project's coordination dir, or a fresh
 * PostgreSQL scope (AGENTVISOR_STORE, AGENTVISOR_SCOPE) for the test's commands.
 */
export function onStore(store: StoreName): { env: Record<string, string>; cli: typeof cli; start: typeof start } {
  const env: Record<string, string> = store === 'postgres' ? { AGENTVISOR_STORE: pgUrl(), AGENTVISOR_SCOPE: freshScope() } : {};
  const withEnv = (options: CliOptions): CliOptions => ({ ...options, env: { ...env, ...options.env } });
  return {
    env,
    cli: (root, args, options = {}) => cli(root, args, withEnv(options)),
    start: (root, args, options = {}) => start(root, args, withEnv(options)),
  };
}

export function coordinationDirExists(root: string): boolean {
  return existsSync(join(root, LOCK_DIR));
}

export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
}

export function start(root: string, args: string[], options: CliOptions = {}): Running {
  const child = spawnCli(args, { cwd: root, ...options });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin!.end();
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
  // Never leave a process behind, whatever the test did.
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Parse a command's --json stdout, failing with the output when it is not JSON. */
export function json<T = unknown>(result: { stdout: string; stderr: string }): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON on stdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}
