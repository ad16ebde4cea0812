// request_handoff end to end with agents as real processes: A asks for a path B holds; B is told
// (a handoff message naming the paths); B releases (its MCP unlock, or the CLI); A, waiting in line
// since it asked, is granted before C, who asked later. The store's history is the witness.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/core/open-store.js';
import type { HistoryEntry, LockRecord, MessageRecord } from '../../src/core/records.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { testDir } from '../helpers/tempdir.js';
import { waitFor } from '../helpers/wait-for.js';
import { call, startMcp, type McpSession } from './support.js';

const DIR = join('data', '.agent_locks');

function project(): string {
  return testDir({ 'agents.config.json': '{ "agents": [] }\n', 'src/api/.keep': '' }, 'agentvisor-handoff-');
}

function waiters(root: string): number {
  try {
    return readdirSync(join(root, DIR, 'queue')).filter((f) => f.endsWith('.json')).length;
  } catch {
    return 0;
  }
}

async function history(root: string): Promise<HistoryEntry[]> {
  const store = await openStore({ dir: join(root, DIR) });
  try {
    return (await store.board()).history;
  } finally {
    await store.close();
  }
}

async function inbox(session: McpSession, peek = true): Promise<MessageRecord[]> {
  return (await call(session, 'inbox', { peek })).records as MessageRecord[];
}

describe('request_handoff', () => {
  for (const how of ['its MCP unlock', 'the CLI'] as const) {
    it(`A asks, B is told, B releases through ${how}, A is granted before a later asker`, async () => {
      const root = project();
      const b = await startMcp(root, { AGENT_ID: 'b' });
      const a = await startMcp(root, { AGENT_ID: 'a' });
      expect((await call(b, 'lock', { paths: ['src/api/**'] })).isError).toBe(false);

      const asked = call(a, 'request_handoff', { paths: ['src/api/users.ts'], message: 'I need to add the users endpoint', wait_ms: 45_000 });
      const told = await waitFor(async () => (await inbox(b)).find((m) => m.type === 'handoff'), { what: 'the handoff in b\'s inbox' });
      expect(told).toMatchObject({ from: 'a', to: 'b', type: 'handoff' });
      expect(told.message).toContain('src/api/**');
      expect(told.message).toContain('I need to add the users endpoint');
      expect(waiters(root)).toBe(1);

      // C asks later, and waits in line behind A.
      const c = spawnCli(['lock', 'src/api/users.ts', '--agent', 'c', '--wait', '45s'], { cwd: root });
      c.stdin!.end();
      const cDone = new Promise<number | null>((resolve) => c.on('exit', (code) => resolve(code)));
      await waitFor(() => waiters(root) === 2, { what: 'c in line behind a' });

      if (how === 'its MCP unlock') expect((await call(b, 'unlock', { paths: ['src/api/**'] })).isError).toBe(false);
      else expect((await runCli(['unlock', 'src/api/**', '--agent', 'b'], { cwd: root })).code).toBe(0);

      const granted = await asked;
      expect(granted.isError, granted.texts.join('\n')).toBe(false);
      expect(granted.records).toMatchObject([{ agent_id: 'a', file_path: 'src/api/users.ts' }]);
      // A holds it; C still waits until A lets go.
      expect(waiters(root)).toBe(1);
      expect((await call(a, 'unlock', { paths: ['src/api/users.ts'] })).isError).toBe(false);
      expect(await cDone).toBe(0);

      const locked = (await history(root)).filter((h) => h.event === 'locked' && h.file_path === 'src/api/users.ts').map((h) => h.agent_id);
      expect(locked).toEqual(['a', 'c']);
      await runCli(['unlock', 'src/api/users.ts', '--agent', 'c'], { cwd: root });
      await Promise.all([a.close(), b.close()]);
    });
  }

  it('without wait_ms: the holder is told and the result names it as an error; free paths are simply locked', async () => {
    const root = project();
    const b = await startMcp(root, { AGENT_ID: 'b' });
    const a = await startMcp(root, { AGENT_ID: 'a' });
    await call(b, 'lock', { paths: ['src/api/**'] });

    const refused = await call(a, 'request_handoff', { paths: ['src/api/users.ts'] });
    expect(refused.isError).toBe(true);
    expect(refused.texts[0]).toContain('b holds src/api/**');
    expect(refused.texts[0]).toContain('Asked b to hand them over');
    expect(await inbox(b)).toMatchObject([{ from: 'a', type: 'handoff', message: expect.stringContaining('src/api/**') }]);
    expect(waiters(root)).toBe(0);

    const free = await call(a, 'request_handoff', { paths: ['src/web/**'] });
    expect(free.isError).toBe(false);
    expect((free.records as LockRecord[]).map((l) => l.agent_id)).toEqual(['a']);
    expect(await inbox(b)).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });
});
