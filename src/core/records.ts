// The records of the contract, one vocabulary on disk, in --json output and in the library's types.
// Field names are the seed's snake_case; times are ISO 8601 UTC strings.

export type LockMode = 'exclusive' | 'shared';

export interface LockRecord {
  agent_id: string;
  /** The normalised lock path (a literal path or a glob), relative to root. */
  file_path: string;
  /** When it was acquired. */
  timestamp: string;
  status: 'active';
  mode: LockMode;
  /** Last renewal (equals `timestamp` until the first renewal). */
  heartbeat: string;
  /** The process that keeps this lock alive, or null for a lock that outlives its command. */
  pid: number | null;
  host: string;
  /** Fencing token: grows with every acquisition in the store. */
  token: number;
  /** When a TTL was given: the lock is stale after this time. */
  expires_at: string | null;
  // ---- fields beyond the contract's (readers ignore what they do not know) ----
  /** Record format version. */
  version?: number;
  /** Lease in ms when the holder heartbeats; null when it does not (the 1-hour rule applies). */
  lease_ms?: number | null;
  /** Start stamp of `pid`, to tell a reused pid: clock ticks since boot (/proc/PID/stat field 22) below 1e12, ms since the epoch (portable: ps) above (src/platform/start-stamp.ts). */
  pid_start?: number | null;
  /**
   * A process on the same host that outlives `pid` until everything the lock covers is dead (the
   * supervisor's watchdog): while either lives, the holder is not dead. With its start time.
   */
  watchdog_pid?: number | null;
  watchdog_pid_start?: number | null;
  /** The boot of the host that wrote the record: /proc/sys/kernel/random/boot_id on Linux, `boot@<seconds>` on the portable path (src/platform/boot.ts). */
  boot_id?: string | null;
  /** CLOCK_MONOTONIC (ms) at acquisition and at the last renewal, valid on the same boot only. */
  timestamp_mono?: number | null;
  heartbeat_mono?: number | null;
  /**
   * The supervised agent whose life a supervisor-kept lock is tied to, when it differs or may differ
   * from `agent_id` (a lock taken inside agent X under another id): the supervisor renews it and
   * releases it with X's. Absent: `agent_id`.
   */
  kept_for?: string;
  /**
   * Set on the stand-in for an entry named like a lock file that is not a regular file (a FIFO, a
   * directory, a symlink to a device), which `cleanup` removed: what it was.
   */
  not_a_file?: string;
  /** Said of a lock whose time lies in the future beyond clock skew: why, and that it ages from when it was first seen. */
  suspect?: string;
  /** Set on the stand-in for a lock file that does not parse: the file's name (it counts as held). */
  unreadable?: string;
}

export type ConflictKind = 'refused' | 'unowned';

export interface ConflictRecord {
  /** The path that was asked for (or that changed, for `unowned`). */
  file_path: string;
  locked_by: string | null;
  /** The held lock path it overlaps (null for `unowned` with no owner). */
  lock_path: string | null;
  since: string | null;
  /** A file path both match. */
  witness: string | null;
  kind: ConflictKind;
  /** Who asked (beyond the contract; useful in the conflict log). */
  agent_id?: string;
  mode?: LockMode;
  at?: string;
  /** The other side is an earlier waiter in line (fairness), not a holder. */
  queued?: boolean;
  /** The two paths were too costly to compare (crafted globs): counted as overlapping, without a witness. */
  undecided?: boolean;
}

export type MessageType = 'note' | 'handoff' | 'status';

export interface MessageRecord {
  id: string;
  from: string;
  to: string;
  type: MessageType;
  message: string;
  timestamp: string;
}

export type AgentStatus = 'waiting' | 'running' | 'restarting' | 'exited' | 'failed' | 'skipped' | 'stopped';

/** What a waiting agent waits for: a lock (whose, which path) or another agent. */
export type WaitingFor = { lock_path: string; locked_by: string } | { agent_id: string };

/** Why an agent ended (the board's `reason`). */
export type EndReason = 'exit' | 'signal' | 'lost lease' | 'supervisor gone' | 'stopped' | 'skipped' | 'timed out' | 'lock conflict' | 'lock timeout';

export interface AgentEntry {
  status: AgentStatus;
  files: string[];
  pid: number | null;
  host: string | null;
  started_at: string | null;
  heartbeat: string | null;
  exit_code: number | null;
  signal: string | null;
  restarts: number;
  // ---- grown with the contract's board (issue 7); missing in entries written before: null ----
  /** The run this entry belongs to (the supervisor's run id); null outside a run. */
  run_id?: string | null;
  /** While `waiting`: what for. */
  waiting_for?: WaitingFor | null;
  /** When it ended (exited, failed, skipped, stopped), else null. */
  ended_at?: string | null;
  /** Why it ended, else null. */
  reason?: EndReason | null;
  // ---- beyond the contract: who keeps the entry true, so any reader can tell a dead run ----
  /** The supervisor (pid and start time) and its watchdog; boot id of their host. */
  supervisor_pid?: number | null;
  supervisor_pid_start?: number | null;
  watchdog_pid?: number | null;
  watchdog_pid_start?: number | null;
  boot_id?: string | null;
  /** The supervisor's lease: on a store shared by hosts, an entry not refreshed for this long is gone. */
  lease_ms?: number | null;
}

/** One request waiting in line (the board's `waiters`, in line order). */
export interface WaiterRecord {
  agent_id: string;
  paths: string[];
  /** When it started waiting. */
  since: string;
  /** The agents whose locks (or earlier requests) it waits behind. */
  blocked_by: string[];
}

export type HistoryEvent = 'locked' | 'released' | 'forced' | 'modified' | 'expired' | 'reclaimed';

export interface HistoryEntry {
  at: string;
  agent_id: string;
  file_path: string;
  event: HistoryEvent;
  /** Who did it, when not the agent itself (forced, reclaimed). */
  by?: string;
  token?: number;
}

export interface BoardRecord {
  updated_at: string;
  locks: LockRecord[];
  agents: Record<string, AgentEntry>;
  pending_messages: Record<string, number>;
  history: HistoryEntry[];
  conflicts: ConflictRecord[];
  /** The store's clock when the record was made. */
  now: string;
  /** Requests waiting in line, in line order. */
  waiters: WaiterRecord[];
  /** The last 50 messages sent (oldest first). */
  messages: MessageRecord[];
  /** The PostgreSQL store's scope. */
  scope?: string;
}

/** What a board says, without when it was written or read: two boards with one key show the same. */
export function boardContentKey(board: BoardRecord): string {
  return JSON.stringify({ ...board, updated_at: undefined, now: undefined });
}

/** The board of a store that does not exist yet: nothing held, nobody known. */
export function emptyBoard(now: Date = new Date()): BoardRecord {
  const at = now.toISOString();
  return { updated_at: at, now: at, locks: [], agents: {}, waiters: [], pending_messages: {}, history: [], conflicts: [], messages: [] };
}
