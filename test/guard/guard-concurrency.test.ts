// The guard under contention, with real processes: hand-started sessions racing to --claim one
// file get it exactly once; a guard stuck behind a store that does not answer blocks at its
// deadline instead of hanging until the client's timeout lets the edit through.

import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { isGone, waitFor } from '../helpers/wait-for.js';
import { clientIdPattern, fixture, guard, guardProject, guardUnderClient, LOCK_DIR, locks } from './support.js';

describe('guard under contention', () => {
  it('six client sessions claiming the same free file at once: exactly one gets it', async () => {
    const root = guardProject();
    const results = await Promise.all(Array.from({ length: 6 }, () => guardUnderClient(root, fixture('claude-write', root), ['--claim'])));
    const winners = results.filter((r) => r.code === 0);
    expect(winners).toHaveLength(1);
    // The store, read afterwards, is the independent witness.
    const held = await locks(root);
    expect(held.map((l) => l.file_path)).toEqual(['src/api/users.ts']);
    expect(held[0]!.agent_id).toMatch(clientIdPattern(winners[0]!.client));
    for (const r of results) if (r.code !== 0) expect(r.stderr).toContain(`agent "${held[0]!.agent_id}"`);
  });

  it('blocks at its deadline when the store does not answer', async () => {
    const root = guardProject();
    const release = join(root, 'release-holder');
    // A `lock` that stops inside the store's critical section, holding its mutex. Two paths, so
    // that the acquisition opens a txn file to wait for (a single path is linked without one).
    const holder = spawnCli(['lock', 'other/**', 'more/**', '--agent', 'holder'], {
      cwd: root,
      env: { AGENTVISOR_FAULTS: 'lock-file.write=pause', AGENTVISOR_FAULT_RELEASE: release },
    });
    holder.stdin!.end();
    try {
      const dir = join(root, LOCK_DIR);
      await waitFor(() => readdirSync(dir).some((f) => f.startsWith('txn-')), { what: 'the holder inside the mutex' });
      const started = Date.now();
      const result = await guard(root, fixture('claude-write', root), ['--claim'], { AGENTVISOR_GUARD_DEADLINE_MS: '1000' });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/guard failed: no decision within 1000 ms/);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      writeFileSync(release, '');
      await waitFor(() => holder.exitCode !== null || isGone(holder.pid!), { what: 'the holder to finish' });
    }
  });
});
