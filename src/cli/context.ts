// Setup shared by the agent-side commands: where root and the coordination dir are, who the agent
// is, lock paths normalised, the store opened and always flushed and closed. Cheap imports only:
// these commands run on agents' hot paths.

import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { AgentvisorError } from '../core/errors.js';
import { resolveAgentId, validateAgentId } from '../core/ids.js';
import { coordinationDir, findRoot } from '../core/location.js';
import { openStore } from '../core/open-store.js';
import { chooseStore, type StoreTarget } from '../core/store-choice.js';
import { normaliseLockPath } from '../core/paths.js';
import type { Store } from '../core/store.js';
import { stringOption } from './args.js';
import type { CommandContext } from './command.js';
import { code, warn } from './output.js';

export interface Place {
  root: string;
  /** The coordination dir (absolute). */
  dir: string;
  /** The store: a PostgreSQL URL and scope, or the file store (url null). */
  target: StoreTarget;
}

/** Root as the contract's "Words" say; the dir from --dir, else AGENTVISOR_DIR, else <root>/data/.agent_locks. */
export function locate(ctx: CommandContext): Place {
  const root = findRoot({ cwd: ctx.cwd, env: ctx.env });
  const explicit = stringOption(ctx.args, 'dir');
  if (explicit === '') throw new AgentvisorError('INVALID_ARGUMENT', '--dir needs a directory', { option: '--dir' });
  const dir = coordinationDir({ root, cwd: ctx.cwd, env: ctx.env, dir: explicit });
  return { root, dir: resolve(ctx.cwd, dir), target: storeTarget(ctx, root) };
}

/** --store / --scope, else the environment, else the config (store-choice.ts); PostgreSQL's fallback scope warns. */
export function storeTarget(ctx: CommandContext, root: string, config?: { store?: string | null; scope?: string | null }): StoreTarget {
  const store = stringOption(ctx.args, 'store');
  const scope = stringOption(ctx.args, 'scope');
  if (store === '') throw new AgentvisorError('INVALID_ARGUMENT', '--store needs a postgres:// URL', { option: '--store' });
  if (scope === '') throw new AgentvisorError('INVALID_ARGUMENT', '--scope needs a name', { option: '--scope' });
  const target = chooseStore({ root, env: ctx.env, ...(store ? { store } : {}), ...(scope ? { scope } : {}), ...(config ? { config } : {}) });
  if (target.url && target.scopeWarning) warn(ctx.stderr, target.scopeWarning);
  return target;
}

/** The options that open the store a place names. */
export function storeOptions(place: Place): { dir: string; url: string | null; scope: string } {
  return { dir: place.dir, url: place.target.url, scope: place.target.scope };
}

/**
 * Whether the coordination dir holds anything: read-only commands leave a missing or empty one
 * exactly as it is (opening the store would write the board and counters into it).
 */
export function storeExists(place: Place): boolean {
  // A database is always there to ask (and an unreachable one is the command's error to report).
  if (place.target.url) return true;
  try {
    return readdirSync(place.dir).length > 0;
  } catch {
    return false;
  }
}

/** The `unknown_agent` warning of a command, said only once it gets past its argument checks. */
const pendingWarnings = new WeakMap<CommandContext, string>();

/**
 * The acting agent: the first of `options` given (e.g. `--from`, then `--agent`), else AGENT_ID,
 * else `unknown_agent`, with a warning on stderr that `proceeding` prints (so that it never comes
 * before an unrelated error). A malformed id throws INVALID_AGENT_ID.
 */
export function actingAgent(ctx: CommandContext, options: string[] = ['agent']): string {
  for (const name of options) {
    const given = stringOption(ctx.args, name);
    if (given !== undefined) return validateAgentId(given, `--${name}`);
  }
  return resolveAgentId(undefined, { env: ctx.env, warn: (message) => pendingWarnings.set(ctx, message) });
}

/** The command's arguments are good and it goes ahead: say what actingAgent held back. */
export function proceeding(ctx: CommandContext): void {
  const message = pendingWarnings.get(ctx);
  if (message === undefined) return;
  pendingWarnings.delete(ctx);
  warn(ctx.stderr, message);
}

/**
 * Lock paths as the store knows them. A path naming an existing directory becomes its subtree,
 * and the user is told so on stderr. Throws INVALID_GLOB / PATH_OUTSIDE_ROOT / INVALID_LOCK_PATH.
 */
export function lockPaths(ctx: CommandContext, place: Place, inputs: string[]): string[] {
  const paths: string[] = [];
  for (const input of inputs) {
    // Relative to root wherever the command runs (the contract): one path names one lock for every agent.
    const { path, directory, existingLiteral } = normaliseLockPath(input, { root: place.root });
    // A trailing `/` asked for the subtree already; an existing folder's name turning into one is news.
    if (directory && !input.endsWith('/')) warn(ctx.stderr, `${code(input)} is a directory: using ${code(path)} (the folder and everything under it)`);
    // `app/[id]/page.tsx` is a glob that does not cover the file of that very name: say how to name it.
    if (existingLiteral !== undefined) warn(ctx.stderr, `${code(input)} is a glob; the existing file of that name is ${code(existingLiteral)}`);
    if (!paths.includes(path)) paths.push(path);
  }
  return paths;
}

/**
 * Open the store, run `use`, then flush the board and close, whatever happened. A read-only
 * command (`{ readOnly: true }`) writes nothing: flushing enters the critical section, which
 * reclaims stale locks, and that is `cleanup`'s report to make, not `status`'s or `check`'s.
 */
export async function withStore<T>(place: Place, use: (store: Store) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
  const store = await openStore(storeOptions(place));
  let result: T;
  try {
    result = await use(store);
  } catch (error) {
    // The error from `use` matters more than a board that the next writer rewrites anyway.
    if (!options.readOnly) await store.flushBoard().catch(() => undefined);
    await store.close();
    throw error;
  }
  try {
    if (!options.readOnly) await store.flushBoard();
  } finally {
    await store.close();
  }
  return result;
}

/** Resolves when the command is told to stop (SIGINT/SIGTERM): the end of --watch and --follow. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
