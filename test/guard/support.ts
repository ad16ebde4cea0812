// What the guard tests share: a project root, locks taken through the real file store (as another
// agent's process would), and the built `agentvisor guard` fed a hook payload on stdin.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientAgentId, findClientProcess } from '../../src/core/client-process.js';
import { shellJoin } from '../../src/guard/shell-quote.js';
import { openStore } from '../../src/core/open-store.js';
import type { LockMode, LockRecord } from '../../src/core/records.js';
import { BIN, cleanEnv, runCli, type CliResult } from '../helpers/cli.js';
import { testDir, type Tree } from '../helpers/tempdir.js';
import { hookPayload } from './fixtures.js';

export const LOCK_DIR = join('data', '.agent_locks');

/** A project root, marked by an agents.config.json as `run` would have it. */
export function guardProject(tree: Tree = {}): string {
  return testDir({ 'agents.config.json': '{ "agents": [] }\n', ...tree }, 'agentvisor-guard-');
}

/** Take locks for `agentId` as another agent would (pid null: they outlive this test's calls). */
export async function hold(root: string, agentId: string, paths: string[], mode: LockMode = 'exclusive'): Promise<void> {
  const store = await openStore({ dir: join(root, LOCK_DIR) });
  try {
    const result = await store.acquire({ agentId, paths: paths.map((path) => ({ path, mode })), owner: { pid: null, leaseMs: null } });
    if (!result.granted) throw new Error(`test setup: ${agentId} could not take ${paths.join(', ')}`);
  } finally {
    await store.close();
  }
}

export async function locks(root: string): Promise<LockRecord[]> {
  const store = await openStore({ dir: join(root, LOCK_DIR) });
  try {
    return await store.listLocks();
  } finally {
    await store.close();
  }
}

export function guard(root: string, payload: string, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli(['guard', ...args], { cwd: root, input: payload, env });
}

/** A recorded payload, with its paths under `root`. */
export function fixture(name: string, root: string, patch: (payload: Record<string, unknown>) => void = () => undefined): string {
  const payload = JSON.parse(hookPayload(name, { root })) as Record<string, unknown>;
  patch(payload);
  return JSON.stringify(payload);
}

const AS_CLIENT = fileURLToPath(new URL('../fixtures/hooks/as-client.mjs', import.meta.url));

/** The guard as a hook of a client process of its own (a stand-in client running `sh -c`). */
export function guardUnderClient(root: string, payload: string, args: string[] = []): Promise<CliResult & { client: number }> {
  const child = spawn(process.execPath, [AS_CLIENT, shellJoin([process.execPath, BIN, 'guard', ...args])], { cwd: root, env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(payload);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, client: child.pid! }));
  });
}

/** The agent id the guard derives for a hook run directly by this test process (its client). */
export function thisClientId(): string {
  return clientAgentId(findClientProcess(process.env, process.pid)!);
}

/** The agent id of a client process that ran a hook (derived while it lives, or from its pid). */
export function clientIdPattern(pid: number): RegExp {
  return new RegExp(`^node-${pid}-\\d+$`);
}
