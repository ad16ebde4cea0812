// The Store interface: everything the seed API, the CLI and the supervisor need from a coordination
// store. The file store is one implementation; a PostgreSQL store will be another and must pass the
// same test suite (test/store-contract/).

import type {
  AgentEntry,
  BoardRecord,
  ConflictRecord,
  HistoryEntry,
  LockMode,
  LockRecord,
  MessageRecord,
  MessageType,
} from './records.js';

/** One path of a request, already normalised (see core/paths.ts). */
export interface PathRequest {
  path: string;
  mode: LockMode;
}

/** Who keeps a lock alive (see the contract's "Who keeps a lock alive"). */
export interface LockOwner {
  /** The process that keeps the lock alive, or null for a lock that outlives its command. */
  pid: number | null;
  /** Lease in ms when the owner renews (3 × heartbeat); null: the 1-hour rule. */
  leaseMs: number | null;
  /**
   * A process that outlives `pid` until what the lock covers is dead (the supervisor's watchdog):
   * the lock's holder counts as alive while either lives. `start`: its start time, if known.
   */
  watchdog?: ProcessIdentity | null;
  /**
   * The supervised agent the lock is kept for (inside a supervised agent: its AGENT_ID), when the
   * lock may be taken under another id: renewed and released with that agent's locks.
   */
  keptFor?: string | null;
}

export interface ProcessIdentity {
  pid: number;
  /** Start stamp (src/platform/start-stamp.ts: ticks since boot on Linux, epoch ms portable), to tell a reused pid apart. */
  start: number | null;
}

export interface WaitInfo {
  /** What blocks the request now: holders, or earlier waiters (locked_by is the waiter's agent). */
  conflicts: ConflictRecord[];
  /** ms since the request started waiting. */
  waitedMs: number;
}

export interface AcquireRequest {
  agentId: string;
  paths: PathRequest[];
  owner: LockOwner;
  /** Wait in line (first come, first served among overlapping waiters) instead of failing at once. */
  wait?: boolean;
  /** With wait: give up after this long (LOCK_TIMEOUT result). Undefined: wait forever. */
  timeoutMs?: number;
  /** The lock is stale after this long whatever else holds (sets expires_at). */
  ttlMs?: number;
  /** Called when the request starts waiting and then at least every `waitReportMs`. */
  onWait?: (info: WaitInfo) => void;
  waitReportMs?: number;
  signal?: AbortSignal;
}

export type AcquireResult =
  | { granted: true; locks: LockRecord[]; token: number }
  | { granted: false; reason: 'conflict' | 'timeout' | 'aborted'; conflicts: ConflictRecord[] };

export interface ReleaseOptions {
  /** Release another agent's lock (recorded as `forced`). */
  force?: boolean;
  /**
   * Only locks kept alive by this pid (a process releasing its own: a second process of the same
   * agent id keeps its own records, untouched).
   */
  pid?: number;
  /** With force: only this agent's locks on the paths (the dashboard frees one holder's lock). */
  holder?: string;
}

export interface ReleaseResult {
  released: LockRecord[];
  /** Requested paths that this agent did not hold (already released, never taken, or reclaimed). */
  notHeld: string[];
}

export interface RenewOptions {
  pid: number;
  expected?: LockRecord[];
  watchdog?: ProcessIdentity | null;
  waitMs?: number;
}

export interface RenewResult {
  renewed: LockRecord[];
  /** Locks the caller expected (by token) that are gone: reclaimed or removed by hand. */
  lost: LockRecord[];
}

export interface SendRequest {
  from: string;
  /** An agent id or '*' for every known agent but the sender. */
  to: string;
  type: MessageType;
  message: string;
  /** Fail with UNKNOWN_AGENT when `to` is not a known agent (the CLI's rule). */
  requireKnownTarget?: boolean;
}

/** An inbox entry: a message, or the marker that ends a stdin agent's input (`send ID --end`). */
export type InboxEntry = { kind: 'message'; record: MessageRecord } | { kind: 'end'; id: string; from: string };

export interface ReadOptions {
  /** Look without consuming. */
  peek?: boolean;
}

/**
 * Inbox entries taken for delivery: hidden from other readers until settled. Settle once delivered
 * (written to the agent's stdin, printed): the first `delivered` entries are marked read, the rest
 * go back to the inbox in their order. A claimer that dies before settling loses nothing: its
 * claims go back to the inbox at the next take.
 */
export interface InboxClaim {
  entries: InboxEntry[];
  settle(delivered: number): Promise<void>;
}

export interface ClaimOptions {
  /** `stop` (default): messages up to and including the first end marker; `skip`: messages only, end markers left in place. */
  ends?: 'stop' | 'skip';
}

export interface Store {
  acquire(request: AcquireRequest): Promise<AcquireResult>;
  release(agentId: string, paths: string[], options?: ReleaseOptions): Promise<ReleaseResult>;
  /**
   * Release every lock of the agent. With `pid`: every lock kept alive by `pid` for the agent,
   * whatever its id (`kept_for`, else `agent_id`, names the agent).
   */
  releaseAll(agentId: string, options?: { pid?: number }): Promise<LockRecord[]>;
  /**
   * Renew the heartbeat of every lock kept alive by `pid` for the agent, whatever its id
   * (`kept_for`, else `agent_id`); report expected ones lost. `watchdog`: name this one in the
   * renewed records (the old one died and was replaced). `waitMs`: wait at most this long for the
   * store (a renewal must end well inside the kill deadline), and fail without looking for who
   * holds it up.
   */
  renew(agentId: string, options: RenewOptions): Promise<RenewResult>;
  /** Conflicts the request would meet now (held locks of other agents; stale ones ignored). */
  check(agentId: string, paths: PathRequest[]): Promise<ConflictRecord[]>;
  /** Live locks (stale ones are left out, not removed). */
  listLocks(): Promise<LockRecord[]>;
  /** Remove stale locks, recording `reclaimed` (or `expired` for a passed TTL); returns them. */
  cleanupStale(): Promise<LockRecord[]>;
  /**
   * Record as `stopped` (reason `supervisor gone`) every agent shown running whose supervisor and
   * watchdog are dead (core/agent-liveness.ts); returns their ids. `exiting`: a pid to count as
   * dead (the watchdog itself, recording its supervisor's agents as its last act). Optional for
   * other stores.
   */
  cleanupAgents?(options?: { exiting?: number }): Promise<string[]>;
  /**
   * Mark these agents' entries as still kept by a live supervisor, on the store's clock (a store
   * shared by several hosts judges another host's entries by that time alone). Optional: a store
   * of one machine judges its supervisors by their pids.
   */
  touchAgents?(agentIds: string[]): Promise<void>;

  /** Create or update an agent's board entry. */
  updateAgent(agentId: string, patch: Partial<AgentEntry>): Promise<void>;
  appendHistory(entries: HistoryEntry[]): Promise<void>;
  appendConflicts(conflicts: ConflictRecord[]): Promise<void>;
  /** A fresh view of everything (what `status --json` prints). */
  board(): Promise<BoardRecord>;
  /** Write status_board.json now if anything changed since it was last written. */
  flushBoard(): Promise<void>;

  send(request: SendRequest): Promise<MessageRecord[]>;
  /** Queue the end of a stdin agent's input behind its pending messages. */
  sendEnd(to: string, from: string): Promise<void>;
  /** This agent's unread messages, oldest first, marked read unless peek. */
  readMessages(agentId: string, options?: ReadOptions): Promise<MessageRecord[]>;
  /**
   * Messages, oldest first, up to and including the first end marker, consumed; what follows an
   * end marker waits in the inbox for the agent's next run.
   */
  takeInbox(agentId: string): Promise<InboxEntry[]>;
  /** Take entries for delivery, to be settled once delivered (see InboxClaim). */
  claimInbox(agentId: string, options?: ClaimOptions): Promise<InboxClaim>;
  /** Call `onChange` when the agent's inbox may have new entries; returns a function that stops. */
  watchInbox(agentId: string, onChange: () => void): Promise<() => Promise<void>>;
  knownAgents(): Promise<string[]>;

  close(): Promise<void>;
}
