// After `kill -9` of a real supervisor its agents do not stay `running` with dead pids: once its
// watchdog has killed them, every reader (status, status --json, status_board.json) shows them
// stopped, with when and why (on both stores); with the watchdog killed too, readers still do, and
// cleanup records it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentEntry, BoardRecord } from '../../src/core/records.js';
import { waitFor } from '../helpers/wait-for.js';
import { onStore } from '../cli/support.js';
import { forEachStore, type StoreName } from '../helpers/stores.js';
import { allGone, cli, fixture, LOCK_DIR, printedPids, project, reap, start } from './support.js';

const GONE = { status: 'stopped', reason: 'supervisor gone', pid: null, ended_at: expect.any(String) };

async function fresh(root: string, env: Record<string, string> = {}): Promise<BoardRecord> {
  return JSON.parse((await cli(root, ['status', '--json'], { env })).stdout) as BoardRecord;
}

function onDisk(root: string): BoardRecord {
  return JSON.parse(readFileSync(join(root, LOCK_DIR, 'status_board.json'), 'utf8')) as BoardRecord;
}

/**
 * A run of two agents on `store`, one running (ready) and one waiting on it; the supervisor's and
 * agent's pids, and the board as it is written: status_board.json on files, the store on PostgreSQL.
 */
async function startRun(store: StoreName = 'file') {
  const { env } = onStore(store);
  const written = async (root: string): Promise<BoardRecord> => (store === 'file' ? onDisk(root) : fresh(root, env));
  // Lease 15 s: what the readers see below comes from liveness, not from a lease running out.
  const root = project({
    heartbeatMs: 5_000,
    agents: [
      { id: 'busy', command: fixture('forever'), owns: ['a/**'] },
      { id: 'later', command: 'true', dependsOn: ['busy'] },
    ],
  });
  const run = start(root, ['run'], { env });
  await waitFor(() => printedPids(run.stdout(), 'ready').length === 1, { what: 'agent ready' });
  await waitFor(async () => (await written(root)).agents.busy?.status === 'running', { what: 'the board showing busy running' });
  return { root, env, written, supervisor: run.child.pid!, agent: printedPids(run.stdout(), 'ready')[0]!, exited: run.exited };
}

forEachStore((kind) => describe('a supervisor killed with kill -9', () => {
  it('its watchdog kills the agents and records them stopped: every reader says supervisor gone', async () => {
    const { root, env, written, supervisor, agent, exited } = await startRun(kind.name);
    const before = (await written(root)).agents.busy!;
    expect(before).toMatchObject({ run_id: expect.any(String), supervisor_pid: supervisor, watchdog_pid: expect.any(Number) });
    try {
      process.kill(supervisor, 'SIGKILL');
      await exited;
      await allGone([agent]);
      await waitFor(async () => (await written(root)).agents.busy?.status === 'stopped', { what: 'the written board showing busy stopped' });
      for (const board of [await written(root), await fresh(root, env)]) {
        expect(board.agents.busy).toMatchObject(GONE);
        expect(board.agents.later).toMatchObject(GONE);
      }
      const text = (await cli(root, ['status'], { env })).stdout;
      expect(text).toMatch(/busy\s+stopped\s+-\s.*supervisor gone, ended /);
      expect(text).not.toMatch(/\brunning\b/);
    } finally {
      reap([agent]);
    }
  });
}));

// File-only: status_board.json, a view written by writers, against what readers work out.
describe('a supervisor killed with kill -9, and its watchdog', () => {
  it('with its watchdog killed too: readers show the agents stopped once they are dead, and cleanup records it', async () => {
    const { root, supervisor, agent, exited } = await startRun();
    const watchdog = onDisk(root).agents.busy!.watchdog_pid!;
    try {
      // Stopped first, it can neither act on the supervisor's death nor be replaced by it.
      process.kill(watchdog, 'SIGSTOP');
      process.kill(supervisor, 'SIGKILL');
      await exited;
      process.kill(watchdog, 'SIGKILL');
      await allGone([watchdog]);
      // Nobody is left to kill the agent: while it lives it is shown running, as it is.
      expect((await fresh(root)).agents.busy?.status).toBe('running');
      reap([agent]);
      await allGone([agent]);
      expect((await fresh(root)).agents.busy).toMatchObject(GONE);
      expect((await cli(root, ['status'])).stdout).toMatch(/busy\s+stopped\s.*supervisor gone/);
      // The file is a view, written by writers: cleanup is one, and records it.
      expect(onDisk(root).agents.busy?.status).toBe('running');
      const cleanup = await cli(root, ['cleanup']);
      expect(cleanup.stdout).toContain('recorded 2 agents as stopped (supervisor gone): busy, later');
      const recorded: AgentEntry = onDisk(root).agents.busy!;
      expect(recorded).toMatchObject({ ...GONE, ended_at: before(recorded) });
      expect((await cli(root, ['cleanup'])).stdout).not.toContain('recorded');
    } finally {
      reap([agent]);
    }
  });
});

/** ended_at is the last moment the agent was known alive: its heartbeat. */
function before(entry: AgentEntry): string {
  return entry.heartbeat ?? entry.started_at!;
}
