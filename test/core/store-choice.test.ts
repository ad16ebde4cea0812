// Which store and scope a command uses: flags, then the environment, then the config; the default
// scope from the git origin (SSH and HTTPS clones of one repository agree), else the folder name
// with a warning.

import { describe, expect, it } from 'vitest';
import { chooseStore, normaliseOrigin, originUrl } from '../../src/core/store-choice.js';
import { testDir } from '../helpers/tempdir.js';

const URL_A = 'postgres://u@db.example/a';
const URL_B = 'postgresql://u@db.example/b';

describe('normaliseOrigin', () => {
  it.each([
    ['git@github.com:Org/Repo.git', 'github.com/org/repo'],
    ['https://github.com/org/repo', 'github.com/org/repo'],
    ['https://user:secret@GitHub.com:443/Org/Repo.git/', 'github.com/org/repo'],
    ['ssh://git@github.com:22/org/repo.git', 'github.com/org/repo'],
    ['git://github.com/org/repo', 'github.com/org/repo'],
    ['/srv/git/Project.git', 'srv/git/project'],
  ])('%s -> %s', (url, scope) => {
    expect(normaliseOrigin(url)).toBe(scope);
  });
});

describe('chooseStore', () => {
  it('flag, else environment, else config; the file store without any', () => {
    const root = testDir({ 'agents.config.json': JSON.stringify({ store: URL_B, scope: 'from-config', agents: [] }) });
    expect(chooseStore({ root, env: {}, store: URL_A, scope: 'flag' })).toEqual({ url: URL_A, scope: 'flag' });
    expect(chooseStore({ root, env: { AGENTVISOR_STORE: URL_A, AGENTVISOR_SCOPE: 'env' } })).toEqual({ url: URL_A, scope: 'env' });
    expect(chooseStore({ root, env: {} })).toEqual({ url: URL_B, scope: 'from-config' });
    const bare = testDir({ '.git/config': '[remote "origin"]\n\turl = git@github.com:Org/Repo.git\n' });
    expect(chooseStore({ root: bare, env: {} })).toEqual({ url: null, scope: 'github.com/org/repo' });
  });

  it('a worktree finds the origin through its common dir; no origin: the folder name, with a warning', () => {
    const main = testDir({ '.git/config': '[core]\n\tbare = false\n[remote "origin"]\n\turl = https://github.com/org/repo.git\n', '.git/worktrees/w/commondir': '../..\n' });
    const worktree = testDir({ '.git': `gitdir: ${main}/.git/worktrees/w\n` });
    expect(originUrl(worktree)).toBe('https://github.com/org/repo.git');
    const plain = testDir({}, 'myproject-');
    const target = chooseStore({ root: plain, env: { AGENTVISOR_STORE: URL_A } });
    expect(target.scope).toMatch(/^myproject-/);
    expect(target.scopeWarning).toMatch(/folder name/);
  });

  it('a store that is not PostgreSQL is refused without its password', () => {
    expect(() => chooseStore({ root: testDir(), env: {}, store: 'mysql://u:pw@h/db' })).toThrow(/"mysql:\/\/u:\*\*\*@h\/db" is not a postgres/);
  });
});
