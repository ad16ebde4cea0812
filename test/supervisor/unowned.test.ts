// A change under a lock held outside the run is an `unowned` conflict naming that lock: its holder,
// its path, since when it is held, and the changed file as witness. Witness: the board's conflicts
// and the run's JSON summary.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { cli, fixture, LOCK_DIR, project } from './support.js';

interface Conflict {
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
});
