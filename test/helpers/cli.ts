// Running the built CLI (dist/cli/bin.js) as a real process, the way users and agents do.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** Another copy of the CLI (an unpacked tarball) instead of this checkout's dist/. */
  bin?: string;
}

/**
 * The environment a test CLI runs with: no inherited agent identity or coordination dir, and no
 * `CI` (which switches logs to JSON): a test that wants CI behaviour sets it itself. The suite's
 * AGENTVISOR_PORTABLE is kept, so the portable run's processes are all portable.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    // AGENTVISOR_PORTABLE stays: the suites run twice, once with it (vitest.config.ts).
    if (key === 'AGENTVISOR_PORTABLE') continue;
    if (key.startsWith('AGENTVISOR_') || key === 'AGENT_ID' || key === 'CLAUDE_PROJECT_DIR' || key === 'CI') delete env[key];
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin!.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export function spawnCli(args: string[], options: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [options.bin ?? BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
