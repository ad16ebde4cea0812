// File-only: the file store's lock file names.
// A waiter wakes when a lock file that blocks it goes away; it knows its blockers only from
// conflict records (agent and path), so every file name of that agent and path, whatever its mode
// and keeper pid, must start with the prefix it watches for (a mismatch left waiters to their
// back-off timer: 8 contenders fell from ~30 holds a second to ~3).
import { describe, expect, it } from 'vitest';
import { lockFileName, lockFilePrefix } from '../../../src/core/fs-store/grant.js';

describe('lock file names', () => {
  const cases: [string, string][] = [['api', 'src/api/**'], ['a.b-c', 'docs/{a,b}.md'], ['x', '**'], ['web', 'src/[ab].ts']];

  it('start with the prefix of their agent and path, for every mode and keeper', () => {
    for (const [agent, path] of cases) {
      for (const mode of ['exclusive', 'shared'] as const) {
        for (const keeper of [null, 1, 4242]) {
          expect(lockFileName(agent, path, mode, keeper).startsWith(lockFilePrefix(agent, path))).toBe(true);
        }
      }
    }
  });

  it('do not start with the prefix of another agent or another path', () => {
    expect(lockFileName('api', 'src/a.ts', 'exclusive', 7).startsWith(lockFilePrefix('web', 'src/a.ts'))).toBe(false);
    expect(lockFileName('api', 'src/a.ts', 'exclusive', 7).startsWith(lockFilePrefix('api', 'src/b.ts'))).toBe(false);
  });
});
