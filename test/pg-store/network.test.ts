// The database going away under a run: a restart in the middle (no double grant; renewals fail,
// then recover; a waiting run on another host rides it out; both runs finish), and messages sent
// while a reader's connection is cut are delivered once after it reconnects.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { adminQuery, describePg, freshScope, pgUrl, privateServer } from '../helpers/pg.js';
import { tcpProxy, viaProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/wait-for.js';
import { start as startCli } from '../cli/support.js';
import { fixture, printedPids, project, start } from '../supervisor/support.js';

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
