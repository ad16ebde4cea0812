// Which store a command uses (contract "The distributed store"): `--store URL`, else
// AGENTVISOR_STORE, else "store" in agents.config.json, else the file store; and for PostgreSQL the
// scope: `--scope`, else AGENTVISOR_SCOPE, else "scope" in the config, else the git origin URL
// normalised (an SSH and an HTTPS clone of one repository agree), else the root's folder name with
// a warning. Cheap on purpose (hot paths call it): files are read directly, git is never spawned.

import { readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { AgentvisorError } from './errors.js';
import { CONFIG_FILE } from './location.js';
import { isPostgresUrl, redactUrl } from './pg-store/url.js';

export interface StoreTarget {
  /** A PostgreSQL URL, or null for the file store. */
  url: string | null;
  /** The scope (always worked out: agents get it as AGENTVISOR_SCOPE). */
  scope: string;
  /** Set when the scope fell back to the root's folder name (PostgreSQL: said on stderr). */
  scopeWarning?: string;
}

export interface StoreChoiceInput {
  root: string;
  env: NodeJS.ProcessEnv;
  /** --store, --scope. */
  store?: string;
  scope?: string;
  /** The config's "store" and "scope" when the caller loaded it already (else the file at root is read). */
  config?: { store?: string | null; scope?: string | null };
  configPath?: string;
}

export function chooseStore(input: StoreChoiceInput): StoreTarget {
  const config = input.config ?? configFields(input.configPath ?? join(input.root, CONFIG_FILE));
  const url = pick(input.store, input.env.AGENTVISOR_STORE, config.store ?? undefined);
  if (url !== null && !isPostgresUrl(url)) {
    throw new AgentvisorError('INVALID_ARGUMENT', `store "${redactUrl(url)}" is not a postgres:// or postgresql:// URL`, { url: redactUrl(url) });
  }
  const scope = pick(input.scope, input.env.AGENTVISOR_SCOPE, config.scope ?? undefined);
  if (scope !== null) return { url, scope: checkScope(scope) };
  const origin = originUrl(input.root);
  const normalised = origin ? normaliseOrigin(origin) : null;
  if (normalised) return { url, scope: normalised };
  const folder = basename(resolve(input.root)) || 'root';
  return { url, scope: folder, scopeWarning: `no git origin and no --scope, AGENTVISOR_SCOPE or "scope" in the config: using the root's folder name "${folder}" as the scope; every project of that name on this database shares its locks` };
}

function pick(...values: (string | undefined)[]): string | null {
  for (const value of values) if (value !== undefined && value !== '') return value;
  return null;
}

function checkScope(scope: string): string {
  if (scope.length > 200 || /[\0\n\r]/.test(scope)) throw new AgentvisorError('INVALID_ARGUMENT', `scope ${JSON.stringify(scope.slice(0, 40))}: at most 200 characters, no control characters`, { scope });
  return scope;
}

/** "store" and "scope" from a config file, read without the schema (the full load is run's job). */
function configFields(path: string): { store?: string; scope?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const value = JSON.parse(text) as { store?: unknown; scope?: unknown };
    return {
      ...(typeof value.store === 'string' ? { store: value.store } : {}),
      ...(typeof value.scope === 'string' ? { scope: value.scope } : {}),
    };
  } catch {
    return {};
  }
}

/** The git config of the repository at `root` (a clone's .git folder, or a worktree's common dir). */
function gitConfigPath(root: string): string | null {
  const dotGit = join(root, '.git');
  const stat = statSync(dotGit, { throwIfNoEntry: false });
  if (!stat) return null;
  if (stat.isDirectory()) return join(dotGit, 'config');
  try {
    const gitdir = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
    if (!gitdir) return null;
    const dir = isAbsolute(gitdir) ? gitdir : resolve(root, gitdir);
    let common = dir;
    try {
      const text = readFileSync(join(dir, 'commondir'), 'utf8').trim();
      common = isAbsolute(text) ? text : resolve(dir, text);
    } catch {
      // not a worktree's gitdir: its own config
    }
    return join(common, 'config');
  } catch {
    return null;
  }
}

/** The `url` of `[remote "origin"]`, or null. */
export function originUrl(root: string): string | null {
  const path = gitConfigPath(root);
  if (!path) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  let inOrigin = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) inOrigin = /^\[remote\s+"origin"\]$/.test(line);
    else if (inOrigin) {
      const match = /^url\s*=\s*(.+)$/.exec(line);
      if (match?.[1]) return match[1].trim().replace(/^"(.*)"$/, '$1');
    }
  }
  return null;
}

/**
 * An origin URL as a scope: lower-case `host/path`, without scheme, user (and password), port,
 * `.git` or a trailing `/`. `git@github.com:Org/Repo.git`, `https://user:pw@github.com/org/repo`
 * and `ssh://git@github.com:22/org/repo/` all give `github.com/org/repo`. A local path gives its
 * path without a trailing `/` or `.git`.
 */
export function normaliseOrigin(url: string): string | null {
  let rest = url.trim();
  if (rest === '') return null;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  let host = '';
  let path: string;
  if (scheme) {
    rest = rest.slice(scheme[0].length);
    const slash = rest.indexOf('/');
    const authority = slash < 0 ? rest : rest.slice(0, slash);
    path = slash < 0 ? '' : rest.slice(slash + 1);
    host = authority.replace(/^.*@/, '').replace(/:\d*$/, '');
  } else if (/^[^/:]+:/.test(rest) && !/^[a-z]:\\/i.test(rest)) {
    // scp-like: [user@]host:path
    const colon = rest.indexOf(':');
    host = rest.slice(0, colon).replace(/^.*@/, '');
    path = rest.slice(colon + 1);
  } else {
    path = rest;
  }
  path = path.replace(/\/+$/, '').replace(/\.git$/i, '').replace(/\/+$/, '').replace(/^\/+/, '');
  const scope = (host ? `${host}/${path}` : path).toLowerCase().replace(/\/+$/, '');
  return scope === '' ? null : scope;
}

/** AGENTVISOR_STORE and AGENTVISOR_SCOPE as a supervised agent (or a hook in it) has them. */
export function storeFromEnv(env: NodeJS.ProcessEnv): { url?: string; scope?: string } {
  const url = env.AGENTVISOR_STORE;
  if (!url) return {};
  return { url, scope: env.AGENTVISOR_SCOPE || undefined };
}
