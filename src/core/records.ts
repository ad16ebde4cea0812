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
  /** Start time of `pid` (clock ticks since boot, /proc/PID/stat field 22), to tell a reused pid. */
  pid_start?: number | null;
  /**
   * A process on the same host that outlives `pid` until everything the lock covers is dead (the
   * supervisor's watchdog): while either lives, the holder is not dead. With its start time.
   */
  watchdog_pid?: number | null;
  watchdog_pid_start?: number | null;
  /** /proc/sys/kernel/random/boot_id of the host that wrote the record. */
  boot_id?: string | null;
  /** CLOCK_MONOTONIC (ms) at acquisition and at the last renewal, valid on the same boot only. */
  timestamp_mono?: number | null;
  heartbeat_mono?: number | null;
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
  /** PostgreSQL store: the scope this board is of, and the database's clock when it was read. */
  scope?: string;
  now?: string;
}
