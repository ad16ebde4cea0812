// The database going away under a run: a restart in the middle (no double grant; renewals fail,
// then recover; a waiting run on another host rides it out; both runs finish); messages sent
// while a reader's connection is cut are delivered once after it reconnects; a host whose
// connection stalls kills its agents before its lease ends, and only then is the other host granted;
// a short cut: the log says when renewals fail and when they recover, and nothing is stopped.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { adminQuery, describePg, freshScope, pgUrl, privateServer } from '../helpers/pg.js';
import { tcpProxy, viaProxy } from '../helpers/tcp-proxy.js';
import { testDir } from '../helpers/tempdir.js';
import { isGone, waitFor } from '../helpers/wait-for.js';
import { start as startCli } from '../cli/support.js';
import { fixture, printedPids, project, reap, start } from '../supervisor/support.js';

function hostEnv(url: string, host: string, scope: string): Record<string, string> {
  return { AGENTVISOR_STORE: url, AGENTVISOR_SCOPE: scope, AGENTVISOR_HOST: host };
}

describePg('the database away', () => {
  it('restarted mid-run: no double grant, renewals recover, the waiting host rides it out, both runs end 0', async () => {
    const server = await privateServer();
    const scope = freshScope();
    const rootA = project({ heartbeatMs: 2_000, agents: [{ id: 'holder', command: fixture('exit-when', 'done'), owns: ['shared/**'] }] });
    const runA = start(rootA, ['run', '--log-format', 'json'], { env: hostEnv(server.url, 'host-a', scope) });
    await waitFor(() => printedPids(runA.stdout(), 'ready').length === 1, { what: 'the holder ready' });
    const rootB = project({ heartbeatMs: 2_000, agents: [{ id: 'next', command: fixture('forever'), owns: ['shared/**'] }] });
    const runB = start(rootB, ['run', '--log-format', 'json'], { env: hostEnv(server.url, 'host-b', scope) });
    await waitFor(async () => (await adminQuery('SELECT 1 FROM agentvisor.waiters WHERE scope = $1', [scope], server.url)).length === 1, { what: 'host B in line' });

    server.restart();
    const back = Date.now();
    // No one else is granted what the holder holds, before or after the restart.
    const intruder = await waitFor(async () => {
      const r = await runCli(['lock', 'shared/x', '--agent', 'intruder', '--store', server.url, '--scope', scope], { cwd: rootA });
      expect(r.code, r.stderr).not.toBe(0);
      return r.code === 3 ? r : null;
    }, { what: 'the store back, refusing the intruder' });
    expect(intruder.stderr).toContain('holder');
    // The holder's renewals reach the database again.
    await waitFor(async () => {
      const rows = await adminQuery<{ heartbeat: Date }>(`SELECT heartbeat FROM agentvisor.locks WHERE scope = $1 AND agent_id = 'holder'`, [scope], server.url);
      return rows[0] && rows[0].heartbeat.getTime() > back;
    }, { what: 'a renewal after the restart' });
    expect(runA.child.exitCode).toBe(null);

    writeFileSync(join(rootA, 'done'), '');
    const endA = await runA.exited;
    expect(endA.code, runA.stderr()).toBe(0);
    await waitFor(() => printedPids(runB.stdout(), 'ready').length === 1, { what: 'host B granted after the holder' });
    runB.child.kill('SIGTERM');
    expect((await runB.exited).code).toBe(143);
  });

  it('messages sent while a reader is cut off are delivered once, after it reconnects', async () => {
    const url = pgUrl();
    const scope = freshScope();
    const real = new URL(url);
    const proxy = await tcpProxy(real.hostname, Number(real.port));
    const root = project({ agents: [{ id: 'r', command: 'true' }] });
    const reader = startCli(root, ['inbox', '--follow', '--agent', 'r', '--store', viaProxy(url, proxy), '--scope', scope]);
    const send = (message: string) => runCli(['send', 'r', message, '--from', 'boss', '--store', url, '--scope', scope], { cwd: root });
    expect((await send('m1')).code).toBe(0);
    await waitFor(() => reader.stdout().includes('m1'), { what: 'm1 read' });
    proxy.set('cut');
    for (const m of ['m2', 'm3', 'm4']) expect((await send(m)).code).toBe(0);
    proxy.set('forward');
    await waitFor(() => reader.stdout().includes('m4'), { what: 'the messages after the reconnect' });
    reader.child.kill('SIGTERM');
    await reader.exited;
    const lines = reader.stdout().split('\n').filter((l) => /: m\d$/.test(l));
    expect(lines.map((l) => l.slice(-2))).toEqual(['m1', 'm2', 'm3', 'm4']);
  });
});

describePg('a connection that stalls', () => {
  it("the cut-off host's agents are killed before its lease ends, only then is the other host granted, and its run exits 1 naming the cause", async () => {
    const url = pgUrl();
    const scope = freshScope();
    const real = new URL(url);
    const proxy = await tcpProxy(real.hostname, Number(real.port));
    const shared = testDir();
    const pidFile = join(shared, 'a-agent.pid');
    const rootA = project({ heartbeatMs: 1_000, agents: [{ id: 'writer-a', command: fixture('forever'), owns: ['shared/**'] }] });
    const runA = start(rootA, ['run', '--log-format', 'json'], { env: hostEnv(viaProxy(url, proxy), 'host-a', scope) });
    await waitFor(() => printedPids(runA.stdout(), 'ready').length === 1, { what: 'host A agent ready' });
    const [agentA] = printedPids(runA.stdout(), 'ready');
    writeFileSync(pidFile, String(agentA));
    const rootB = project({ heartbeatMs: 1_000, agents: [{ id: 'writer-b', command: fixture('other-gone', pidFile), owns: ['shared/**'] }] });
    const runB = start(rootB, ['run', '--log-format', 'json'], { env: hostEnv(url, 'host-b', scope) });
    try {
      await waitFor(async () => (await adminQuery('SELECT 1 FROM agentvisor.waiters WHERE scope = $1', [scope])).length === 1, { what: 'host B in line' });
      proxy.set('stall');
      await waitFor(() => isGone(agentA!), { timeoutMs: 10_000, intervalMs: 5, what: "host A's agent killed" });
      const killedBy = Date.now();
      const [held] = await adminQuery<{ heartbeat: Date; lease_ms: number }>(`SELECT heartbeat, lease_ms FROM agentvisor.locks WHERE scope = $1 AND agent_id = 'writer-a'`, [scope]);
      // Seen dead (so dead already) before the lease of its last renewal ran out on the database's clock.
      if (held) expect(killedBy).toBeLessThan(held.heartbeat.getTime() + held.lease_ms);
      const endA = await waitFor(() => (runA.child.exitCode !== null ? runA.exited : null), { timeoutMs: 5_000, what: 'host A run to exit' });
      expect(endA.code).toBe(1);
      expect(runA.stderr()).toMatch(/renewal|lease/);
      const endB = await runB.exited;
      expect(endB.code, runB.stderr()).toBe(0);
      expect(runB.stdout()).toContain(`other ${agentA} gone`);
    } finally {
      reap([agentA!]);
    }
  });
});

describePg('a short cut', () => {
  it('the log says when renewals fail and when they recover; the agent runs on', async () => {
    const url = pgUrl();
    const scope = freshScope();
    const real = new URL(url);
    const proxy = await tcpProxy(real.hostname, Number(real.port));
    // Lease 9 s: the kill deadline is 6 s after the last renewal, room for the test to restore the link.
    const root = project({ heartbeatMs: 3_000, agents: [{ id: 'steady', command: fixture('exit-when', 'done'), owns: ['shared/**'] }] });
    const run = start(root, ['run', '--log-format', 'json'], { env: hostEnv(viaProxy(url, proxy), 'host-a', scope) });
    await waitFor(() => printedPids(run.stdout(), 'ready').length === 1, { what: 'the agent ready' });
    proxy.set('cut');
    await waitFor(() => run.stderr().includes('heartbeat of steady failed'), { timeoutMs: 15_000, intervalMs: 5, what: 'a failed renewal logged' });
    proxy.set('forward');
    await waitFor(() => run.stderr().includes('heartbeat of steady recovered'), { timeoutMs: 15_000, what: 'the recovery logged' });
    const line = run.stderr().split('\n').find((l) => l.includes('heartbeat of steady recovered'))!;
    expect(JSON.parse(line)).toMatchObject({ agent: 'steady', msg: expect.stringMatching(/renewals failed for \d+ ms \(\d+ attempts?\)/) });
    writeFileSync(join(root, 'done'), '');
    const end = await run.exited;
    expect(end.code, run.stderr()).toBe(0);
  });
});
