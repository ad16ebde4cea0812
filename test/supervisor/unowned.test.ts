// A change under a lock held outside the run is an `unowned` conflict naming that lock: its holder,
// its path, since when it is held, and the changed file as witness. Witness: the board's conflicts
// and the run's JSON summary.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { cli, fixture, LOCK_DIR, project } from './support.js';

interface Conflict {
  agent_id?: string;
  mode?: string;
  file_path: string;
  locked_by: string | null;
  lock_path: string | null;
  since: string | null;
  witness: string | null;
  kind: string;
}

function boardConflicts(root: string): Conflict[] {
  const file = join(root, LOCK_DIR, 'status_board.json');
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as { conflicts?: Conflict[] }).conflicts ?? [];
}

describe('an unowned change', () => {
  it('names the live lock of someone outside the run that covers it', async () => {
    const root = project({ agents: [{ id: 'writer', command: fixture('write-file', 'free/x.txt'), owns: ['mine/**'] }] }, { 'free/': null, 'mine/': null });
    const taken = await cli(root, ['lock', 'free/**', '--agent', 'other']);
    expect(taken.code).toBe(0);
    const run = await cli(root, ['run', '--log-format', 'json']);
    await waitFor(() => boardConflicts(root).some((c) => c.kind === 'unowned'), { timeoutMs: 5_000, what: 'the unowned conflict on the board' });
    const conflict = boardConflicts(root).find((c) => c.kind === 'unowned' && c.file_path === 'free/x.txt');
    expect(conflict).toMatchObject({ locked_by: 'other', lock_path: 'free/**', witness: 'free/x.txt' });
    expect(Number.isNaN(Date.parse(conflict!.since ?? ''))).toBe(false);
    const summary = (run.stdout + run.stderr).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { summary?: { unowned: unknown[] } }).find((l) => l.summary)?.summary;
    expect(summary?.unowned).toEqual([expect.objectContaining({ path: 'free/x.txt', lockedBy: 'other', lockPath: 'free/**', since: conflict!.since })]);
  });

  it('a literal folder covers its files: owned by the agent that owns it, else naming the holder of that lock', async () => {
    const root = project({
      agents: [
        { id: 'builder', command: fixture('write-file', 'out/x.txt'), owns: ['out'] },
        { id: 'stray', command: fixture('write-file', 'free/y.txt'), owns: ['mine/**'] },
      ],
    }, { 'out/': null, 'mine/': null });
    // Locked before it exists, `free` stays a literal (a folder that exists is locked as free/**).
    expect((await cli(root, ['lock', 'free', '--agent', 'other'])).code).toBe(0);
    mkdirSync(join(root, 'free'));
    const run = await cli(root, ['run', '--log-format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = run.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { summary?: { agents: { agent: string; files_changed: string[] }[]; unowned: { path: string; lockPath: string | null }[] } }).find((l) => l.summary)!.summary!;
    expect(summary.agents.find((a) => a.agent === 'builder')?.files_changed).toEqual(['out/x.txt']);
    expect(summary.unowned).toEqual([expect.objectContaining({ path: 'free/y.txt', lockedBy: 'other', lockPath: 'free' })]);
  });

  it('a write under a shared (reads) lock: a write outside ownership, said once, credited to its writer', async () => {
    const root = project({ agents: [{ id: 'api', command: fixture('write-file', 'src/api/a.ts'), reads: ['src/api/**'] }] }, { 'src/api/': null });
    const run = await cli(root, ['run']);
    const lines = run.stderr.split('\n');
    const header = lines.findIndex((l) => l.startsWith('writes outside ownership'));
    expect(lines.slice(header, header + 2)).toEqual([
      'writes outside ownership (1): files changed that no running agent owned',
      '  src/api/a.ts by api, under its shared lock src/api/** (reads: for reading only)',
    ]);
    expect(run.stderr.match(/src\/api\/a\.ts/g)).toHaveLength(2); // the api row's files changed, and the line above
    expect(lines.find((l) => l.startsWith('api '))).toMatch(/^api\s+0\s+\S+ s\s+0\s+src\/api\/a\.ts\s/);
    expect(boardConflicts(root).find((c) => c.kind === 'unowned')).toMatchObject({ file_path: 'src/api/a.ts', locked_by: 'api', lock_path: 'src/api/**', agent_id: 'api', mode: 'shared' });
  });
});
