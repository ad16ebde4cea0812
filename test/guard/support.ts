// What the guard tests share: a project root, locks taken through the real file store (as another
// agent's process would), and the built `agentvisor guard` fed a hook payload on stdin.

import { join } from 'node:path';
import { openStore } from '../../src/core/open-store.js';
import type { LockMode, LockRecord } from '../../src/core/records.js';
import { runCli, type CliResult } from '../helpers/cli.js';
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
