// A client stopped (SIGSTOP) inside its section, holding the scope's advisory lock, blocks the
// other hosts only until the server ends its idle transaction (idle_in_transaction_session_timeout,
// set from the call deadline): another process is granted while the first is still stopped.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { adminQuery, describePg, freshScope, pgUrl } from '../helpers/pg.js';
import { testDir } from '../helpers/tempdir.js';
import { waitFor } from '../helpers/wait-for.js';
import { project, start } from '../cli/support.js';

describePg('a client stopped inside its section', () => {
  it('no longer blocks another process once the server ends its idle transaction', async () => {
    const url = pgUrl();
    const scope = freshScope();
    const root = project();
    const release = join(testDir(), 'release');
    const env = { AGENTVISOR_STORE: url, AGENTVISOR_SCOPE: scope };
    // Made before, so the stopped client's first section is its acquisition (not the schema).
    expect((await runCli(['lock', 'warm', '--agent', 'w'], { cwd: root, env })).code).toBe(0);
    const stopped = start(root, ['lock', 'a.ts', '--agent', 'first'], {
      env: { ...env, AGENTVISOR_PG_CALL_TIMEOUT_MS: '1500', AGENTVISOR_FAULTS: 'pg.section.entered=pause', AGENTVISOR_FAULT_RELEASE: release },
    });
    await waitFor(() => readFileSync(`${release}.paused`, { encoding: 'utf8', flag: 'a+' }).includes('pg.section.entered'), { what: 'the first client inside its section' });
    stopped.child.kill('SIGSTOP');
    try {
      // It holds the scope's lock in a transaction that says nothing more.
      const holders = await adminQuery(`SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted AND a.state = 'idle in transaction'`);
      expect(holders.length).toBeGreaterThan(0);
      // Without the server's timeout this waits on the lock past each of its five call deadlines (5 s) and fails.
      const second = await runCli(['lock', 'b.ts', '--agent', 'second'], { cwd: root, env, timeoutMs: 60_000 });
      expect(second.code, second.stderr).toBe(0);
      expect(stopped.child.exitCode).toBe(null);
      const rows = await adminQuery<{ agent_id: string }>('SELECT agent_id FROM agentvisor.locks WHERE scope = $1 ORDER BY token', [scope]);
      expect(rows.map((r) => r.agent_id)).toEqual(['w', 'second']);
    } finally {
      stopped.child.kill('SIGKILL');
    }
  });
});
