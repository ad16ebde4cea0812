// Two hosts on one database (separate supervisors with different AGENTVISOR_HOST, one scope):
// mutual exclusion across them under stress with an independent witness, and a SIGKILLed
// supervisor whose locks go to the other host only after the lease, with a higher token, when its
// agents are already dead, and whose agents the other host then reads `stopped` (supervisor gone).
// The password in the URL appears in no output or log.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { BoardRecord } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { adminQuery, describePg, freshScope, pgUrl } from '../helpers/pg.js';
import { testDir } from '../helpers/tempdir.js';
import { waitFor } from '../helpers/wait-for.js';
import { allGone, fixture, printedPids, project, reap, start, LOCK_DIR } from '../supervisor/support.js';
import { POOL, readHolds, violations } from '../store-contract/witness.js';

const CONTENDER = fileURLToPath(new URL('../fixtures/store/contender.mjs', import.meta.url));

function hostEnv(host: string, scope: string): Record<string, string> {
  return { AGENTVISOR_STORE: pgUrl(), AGENTVISOR_SCOPE: scope, AGENTVISOR_HOST: host };
}

interface LockRow {
  agent_id: string;
  host: string;
  token: string;
  acquired_at: Date;
  heartbeat: Date;
  lease_ms: number;
}

/** The board as a host reads it (`status --json --all`). */
async function boardAs(host: string, scope: string, cwd: string): Promise<BoardRecord> {
  const r = await runCli(['status', '--json', '--all'], { cwd, env: hostEnv(host, scope) });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as BoardRecord;
}

const locksOf = (scope: string) => adminQuery<LockRow>('SELECT agent_id, host, token, acquired_at, heartbeat, lease_ms FROM agentvisor.locks WHERE scope = $1 ORDER BY token', [scope]);

/** Every file under a folder, read as text (the per-agent logs). */
function textsUnder(dir: string): string {
  let text = '';
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) text += readFileSync(join(entry.parentPath, entry.name), 'utf8');
  }
  return text;
}

describePg('two hosts on one database', () => {
  it('8 contenders under two supervisors on two hosts: 0 violations; the password is in no output or log', { timeout: 180_000 }, async () => {
    const scope = freshScope();
    const witness = join(testDir(), 'witness.log');
    const password = new URL(pgUrl()).password;
    expect(password.length).toBeGreaterThan(8);
    const host = (name: string, offset: number) => {
      const agents = [0, 1, 2, 3].map((i) => ({
        id: `${name}-${i}`,
        // The contender opens the store its supervisor names (AGENTVISOR_STORE / AGENTVISOR_SCOPE).
        command: [process.execPath, CONTENDER, 'unused-dir', `${name}-${i}`, '25', witness, JSON.stringify(POOL), '0.3', String(offset + i * 7919)],
      }));
      const root = project({ heartbeatMs: 2_000, agents });
      return { root, run: start(root, ['run', '--log-format', 'json'], { env: hostEnv(name, scope) }) };
    };
    const a = host('host-a', 3000);
    const b = host('host-b', 5000);
    const [endA, endB] = await Promise.all([a.run.exited, b.run.exited]);
    expect(endA.code, a.run.stderr()).toBe(0);
    expect(endB.code, b.run.stderr()).toBe(0);
    const holds = readHolds(readFileSync(witness, 'utf8'));
    expect(holds).toHaveLength(200);
    expect(violations(holds)).toEqual([]);
    // Both hosts' agents took locks in the one scope.
    const takers = await adminQuery<{ agent: string }>(`SELECT DISTINCT entry->>'agent_id' AS agent FROM agentvisor.history WHERE scope = $1 ORDER BY 1`, [scope]);
    expect(takers.map((t) => t.agent)).toEqual(['host-a-0', 'host-a-1', 'host-a-2', 'host-a-3', 'host-b-0', 'host-b-1', 'host-b-2', 'host-b-3']);
    for (const side of [a, b]) {
      const everything = side.run.stdout() + side.run.stderr() + textsUnder(join(side.root, LOCK_DIR));
      expect(everything).not.toContain(password);
    }
  });

  it("a SIGKILLed supervisor: its locks go to the other host only after the lease, with a higher token, and its agents are dead by then", async () => {
    const scope = freshScope();
    const shared = testDir();
    const pidFile = join(shared, 'a-agent.pid');
    const rootA = project({ heartbeatMs: 500, agents: [{ id: 'writer-a', command: fixture('forever'), owns: ['shared/**'] }] });
    const runA = start(rootA, ['run'], { env: hostEnv('host-a', scope) });
    await waitFor(() => printedPids(runA.stdout(), 'ready').length === 1, { what: 'host A agent ready' });
    const [agentA] = printedPids(runA.stdout(), 'ready');
    writeFileSync(pidFile, String(agentA));
    const rootB = project({ heartbeatMs: 500, agents: [{ id: 'writer-b', command: fixture('other-gone', pidFile), owns: ['shared/**'] }] });
    const runB = start(rootB, ['run'], { env: hostEnv('host-b', scope) });
    try {
      await waitFor(async () => (await adminQuery('SELECT 1 FROM agentvisor.waiters WHERE scope = $1', [scope])).length === 1, { what: 'host B in line' });
      // Its supervisor alive, host A's agent reads running on host B (its entry touched every heartbeat).
      expect((await boardAs('host-b', scope, rootB)).agents['writer-a']).toMatchObject({ status: 'running', host: 'host-a', lease_ms: 1500 });
      runA.child.kill('SIGKILL');
      await runA.exited;
      const [held] = await locksOf(scope);
      expect(held).toMatchObject({ agent_id: 'writer-a', host: 'host-a', lease_ms: 1500 });
      const endB = await runB.exited;
      expect(endB.code, runB.stderr()).toBe(0);
      expect(runB.stdout()).toContain(`other ${agentA} gone`);
      const history = await adminQuery<{ entry: { agent_id: string; event: string; token: number; at: string } }>('SELECT entry FROM agentvisor.history WHERE scope = $1 ORDER BY id', [scope]);
      const grantB = history.map((h) => h.entry).find((e) => e.agent_id === 'writer-b' && e.event === 'locked')!;
      expect(grantB.token).toBeGreaterThan(Number(held!.token));
      expect(Date.parse(grantB.at) - held!.heartbeat.getTime()).toBeGreaterThanOrEqual(1500);
      expect(history.map((h) => `${h.entry.agent_id} ${h.entry.event}`)).toContain('writer-a reclaimed');
      await allGone([agentA!]);
      // Host B cannot look at host A's pids: it reads the entry stopped once its lease passed untouched.
      const seen = await boardAs('host-b', scope, rootB);
      expect(seen.agents['writer-a']).toMatchObject({ status: 'stopped', reason: 'supervisor gone', pid: null, host: 'host-a' });
      expect(seen.agents['writer-a']!.ended_at).toEqual(expect.any(String));
    } finally {
      reap([agentA!]);
    }
  });
});
