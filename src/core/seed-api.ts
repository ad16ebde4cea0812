// The seed protocol's functions (checkConflicts, acquireLock, releaseLock, updateStatusBoard,
// sendMessage, readMessages, cleanupStaleLocks) on the file store, with the contract's records.
// Input is checked before anything is opened: bad input rejects with a coded error, writes nothing.

import { hostName } from './liveness.js';
import { AgentvisorError } from './errors.js';
import { parsePattern } from './glob/index.js';
import { resolveAgentId, validateAgentId } from './ids.js';
import { coordinationDir, findRoot } from './location.js';
import { openStore } from './open-store.js';
import { chooseStore, type StoreTarget } from './store-choice.js';
import { ownerFromEnvironment } from './ownership.js';
import { normaliseLockPath } from './paths.js';
import type { AgentStatus, ConflictRecord, LockMode, MessageRecord, MessageType } from './records.js';
import type { Store } from './store.js';
import { checkMessageText, checkMessageType } from './rules/messages.js';

export interface SeedOptions {
  /** The coordination dir (default: AGENTVISOR_DIR, else <root>/data/.agent_locks). */
  dir?: string;
}

export interface AcquireLockOptions extends SeedOptions {
  mode?: LockMode;
  /** Wait in line for the lock instead of returning false at once. */
  wait?: boolean;
  /** With wait: give up (resolve false) after this long. */
  timeoutMs?: number;
  /** The lock is stale after this long. */
  ttlMs?: number;
}

export interface CheckOptions extends SeedOptions {
  mode?: LockMode;
}

export interface SendOptions extends SeedOptions {
  type?: MessageType;
}

export interface ReadOptions extends SeedOptions {
  /** Look without marking read. */
  peek?: boolean;
}

const stores = new Map<string, Promise<Store>>();

interface Place {
  root: string;
  dir: string;
  /** AGENTVISOR_STORE / "store" in the config: the PostgreSQL store (store-choice.ts). */
  target: StoreTarget;
}

function place(options: SeedOptions): Place {
  const cwd = process.cwd();
  const root = findRoot({ cwd, env: process.env });
  if (options.dir !== undefined && (typeof options.dir !== 'string' || options.dir === '')) {
    throw new AgentvisorError('INVALID_ARGUMENT', `options.dir must be a non-empty string, not ${JSON.stringify(options.dir)}`, { dir: options.dir });
  }
  return { root, dir: coordinationDir({ cwd, env: process.env, root, dir: options.dir }), target: chooseStore({ root, env: process.env }) };
}

/** One store per coordination dir for the life of the process (it flushes its board on exit). */
function storeFor(where: Place): Promise<Store> {
  const { dir, target } = where;
  const key = target.url ? `${target.url}\0${target.scope}` : dir;
  let store = stores.get(key);
  if (!store) {
    store = openStore({ dir, url: target.url, scope: target.scope });
    stores.set(key, store);
  }
  return store;
}

/** The seed's positional agent id may be left out: `fn(x, { dir })` reads as `fn(x, undefined, { dir })`. */
function split<O extends object>(agentOrOptions: string | O | undefined, options: O | undefined): [string | undefined, O] {
  if (agentOrOptions !== null && typeof agentOrOptions === 'object') return [undefined, agentOrOptions];
  return [agentOrOptions as string | undefined, (options ?? {}) as O];
}

function agent(given: string | undefined): string {
  return resolveAgentId(given ?? null);
}

function lockPaths(files: unknown, root: string): string[] {
  const list = typeof files === 'string' ? [files] : files;
  if (!Array.isArray(list) || list.length === 0) {
    throw new AgentvisorError('INVALID_LOCK_PATH', 'give a lock path, or a non-empty list of them', { files });
  }
  return list.map((file: unknown) => {
    if (typeof file !== 'string' || file === '') {
      throw new AgentvisorError('INVALID_LOCK_PATH', `lock path ${JSON.stringify(file)} must be a non-empty string`, { path: file });
    }
    // Lock paths are relative to root (contract, "Words"), wherever the caller runs.
    const { path } = normaliseLockPath(file, { root });
    parsePattern(path);
    return path;
  });
}

function lockMode(mode: unknown): LockMode {
  if (mode === undefined) return 'exclusive';
  if (mode === 'exclusive' || mode === 'shared') return mode;
  throw new AgentvisorError('INVALID_ARGUMENT', `mode must be "exclusive" or "shared", not ${JSON.stringify(mode)}`, { mode });
}

function duration(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw new AgentvisorError('INVALID_DURATION', `${name} must be a number of milliseconds ≥ 0, not ${JSON.stringify(value)}`, { [name]: value });
}

export async function checkConflicts(files: string | string[], agentId?: string | CheckOptions, opts?: CheckOptions): Promise<ConflictRecord[]> {
  const [given, options] = split(agentId, opts);
  const id = agent(given);
  const where = place(options);
  const mode = lockMode(options.mode);
  const paths = lockPaths(files, where.root).map((path) => ({ path, mode }));
  return (await storeFor(where)).check(id, paths);
}

export async function acquireLock(file: string | string[], agentId?: string | AcquireLockOptions, opts?: AcquireLockOptions): Promise<boolean> {
  const [given, options] = split(agentId, opts);
  const id = agent(given);
  const where = place(options);
  const mode = lockMode(options.mode);
  const timeoutMs = duration('timeoutMs', options.timeoutMs);
  const ttlMs = duration('ttlMs', options.ttlMs);
  const paths = lockPaths(file, where.root).map((path) => ({ path, mode }));
  const store = await storeFor(where);
  const result = await store.acquire({
    agentId: id,
    paths,
    owner: ownerFromEnvironment(process.env, 'library'),
    wait: options.wait === true,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(ttlMs !== undefined ? { ttlMs } : {}),
  });
  return result.granted;
}

export async function releaseLock(file: string | string[], agentId?: string | SeedOptions, opts?: SeedOptions): Promise<boolean> {
  const [given, options] = split(agentId, opts);
  const id = agent(given);
  const where = place(options);
  const paths = lockPaths(file, where.root);
  // A process releases its own records only: another process under the same id keeps its own.
  const { pid } = ownerFromEnvironment(process.env, 'library');
  const result = await (await storeFor(where)).release(id, paths, pid !== null ? { pid } : {});
  return result.released.length > 0 && result.notHeld.length === 0;
}

const STATUS_ALIASES: Record<string, AgentStatus> = {
  waiting: 'waiting',
  running: 'running',
  restarting: 'restarting',
  exited: 'exited',
  failed: 'failed',
  skipped: 'skipped',
  stopped: 'stopped',
  // the seed protocol's words
  in_progress: 'running',
  completed: 'exited',
};

function agentStatus(status: unknown): AgentStatus {
  const mapped = typeof status === 'string' ? STATUS_ALIASES[status] : undefined;
  if (mapped) return mapped;
  throw new AgentvisorError('INVALID_STATUS', `status ${JSON.stringify(status)} is not one of ${Object.keys(STATUS_ALIASES).join(', ')}`, { status });
}

export async function updateStatusBoard(agentId: string, status: string, files: string | string[] = [], opts: SeedOptions = {}): Promise<void> {
  const id = validateAgentId(agentId);
  const mapped = agentStatus(status);
  const where = place(opts);
  const paths = (typeof files === 'string' ? [files] : files).length === 0 ? [] : lockPaths(files, where.root);
  const supervised = Boolean(process.env.AGENTVISOR_SUPERVISOR);
  const now = new Date().toISOString();
  const store = await storeFor(where);
  const current = (await store.board()).agents[id];
  await store.updateAgent(id, {
    status: mapped,
    files: paths,
    heartbeat: now,
    // Under a supervisor it keeps pid, host and start time; a bare process reports itself.
    ...(supervised ? {} : { pid: process.pid, host: hostName(), started_at: current?.started_at ?? now }),
  });
}

export async function sendMessage(target: string, message: string, agentId?: string | SendOptions, opts?: SendOptions): Promise<MessageRecord[]> {
  const [given, options] = split(agentId, opts);
  if (target !== '*') validateAgentId(target, 'target agent id');
  const from = agent(given);
  const type = options.type ?? 'note';
  checkMessageType(type);
  checkMessageText(message);
  const where = place(options);
  return (await storeFor(where)).send({ from, to: target, type, message });
}

export async function readMessages(agentId?: string | ReadOptions, opts?: ReadOptions): Promise<MessageRecord[]> {
  const [given, options] = split(agentId, opts);
  const id = agent(given);
  const where = place(options);
  return (await storeFor(where)).readMessages(id, { peek: options.peek === true });
}

export async function cleanupStaleLocks(opts: SeedOptions = {}): Promise<number> {
  const where = place(opts);
  return (await (await storeFor(where)).cleanupStale()).length;
}
