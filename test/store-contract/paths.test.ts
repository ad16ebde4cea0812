// Lock paths on both stores: a path that does not parse is refused (INVALID_GLOB) before anything
// is written, even beside good ones; a segment longer than any file name is refused, and a pair too
// costly to search counts as overlapping; a literal path covers its subtree; escaped literal names
// with brackets lock exactly that file (what the guard's --claim takes).

import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { escapeLiteral } from '../../src/core/glob/index.js';
import type { LockOwner, PathRequest } from '../../src/index.js';
import { forEachStore } from '../helpers/stores.js';

const SELF: LockOwner = { pid: process.pid, leaseMs: null };
const BAD = 'src/app/[[]slug]/**';
const ex = (...paths: string[]): PathRequest[] => paths.map((path) => ({ path, mode: 'exclusive' }));

forEachStore((kind) => {
  it('a path that does not parse: acquire and check reject it with INVALID_GLOB and write nothing, even beside good paths', async () => {
    const { store, dir } = await kind.open();
    await expect(store.acquire({ agentId: 'a', paths: ex(BAD), owner: SELF })).rejects.toMatchObject({ code: 'INVALID_GLOB', facts: { path: BAD } });
    expect(existsSync(dir)).toBe(false);
    await store.acquire({ agentId: 'a', paths: ex('ok.ts'), owner: SELF });
    const before = await store.board();
    const mixed = [{ path: 'fine/**', mode: 'exclusive' as const }, { path: 'x/{a', mode: 'shared' as const }];
    await expect(store.acquire({ agentId: 'a', paths: mixed, owner: SELF, wait: true })).rejects.toMatchObject({ code: 'INVALID_GLOB' });
    await expect(store.check('b', ex(BAD))).rejects.toMatchObject({ code: 'INVALID_GLOB' });
    const after = await store.board();
    expect(after.locks).toEqual(before.locks);
    expect(after.history).toEqual(before.history);
    expect(after.waiters).toEqual([]);
  });

  it('a segment longer than any file name is refused with a code; a pair too costly to search counts as overlapping', async () => {
    const { store } = await kind.open();
    const huge = (c: string, n: number) => `*${c}${'?'.repeat(n)}`;
    await expect(store.acquire({ agentId: 'a', paths: ex(huge('a', 2_000)), owner: SELF })).rejects.toMatchObject({ code: 'INVALID_GLOB' });
    expect((await store.acquire({ agentId: 'a', paths: ex(huge('a', 250)), owner: SELF })).granted).toBe(true);
    const result = await store.acquire({ agentId: 'b', paths: ex(huge('b', 250)), owner: SELF });
    expect(result).toMatchObject({ granted: false, conflicts: [{ locked_by: 'a', undecided: true, witness: null }] });
  });

  it('a literal path covers its subtree, should it become a folder later', async () => {
    const { store } = await kind.open();
    expect((await store.acquire({ agentId: 'a', paths: ex('build'), owner: SELF })).granted).toBe(true);
    const later = await store.acquire({ agentId: 'b', paths: ex('build/out.js'), owner: SELF });
    expect(later).toMatchObject({ granted: false, conflicts: [{ locked_by: 'a', lock_path: 'build', witness: 'build/out.js' }] });
    expect(await store.check('b', [{ path: 'build/**', mode: 'shared' }])).toHaveLength(1);
    // A sibling that merely starts the same is not under it.
    expect((await store.acquire({ agentId: 'b', paths: ex('build.log'), owner: SELF })).granted).toBe(true);
  });

  it('escaped literal names with brackets, braces, ! and ( lock exactly that file', async () => {
    const { store } = await kind.open();
    const names = ['src/app/[[]slug]/page.tsx', 'app/[id]/page.tsx', 'a]b', '{x}', '!x', '(x)', '[[]'];
    const granted = await store.acquire({ agentId: 'guard', paths: ex(...names.map(escapeLiteral)), owner: SELF });
    expect(granted.granted).toBe(true);
    for (const name of names) {
      const conflicts = await store.check('other', [{ path: escapeLiteral(name), mode: 'shared' }]);
      expect(conflicts.map((c) => c.witness), name).toEqual([name]);
    }
    expect(await store.check('other', [{ path: 'src/app/*/page.tsx', mode: 'shared' }])).toMatchObject([{ witness: 'src/app/[[]slug]/page.tsx' }]);
    expect(await store.check('other', ex('src/app/slug/page.tsx'))).toEqual([]);
  });
});
