// Rows of the PostgreSQL store's tables (read as JSON, so timestamps are text and bigints numbers)
// turned into the contract's records, and values turned into SQL literals for batched statements.

import type { LockMode, LockRecord } from '../records.js';
import type { PathRequest } from '../store.js';

export interface LockRow {
  id: number;
  scope: string;
  agent_id: string;
  file_path: string;
  mode: LockMode;
  token: number;
  acquired_at: string;
  heartbeat: string;
  beats: number;
  pid: number | null;
  pid_start: number | null;
  host: string;
  boot_id: string | null;
  watchdog_pid: number | null;
  watchdog_pid_start: number | null;
  kept_for: string | null;
  lease_ms: number | null;
  expires_at: string | null;
}

export interface WaiterRow {
  ticket: number;
  agent_id: string;
  paths: PathRequest[];
  pid: number;
  pid_start: number | null;
  host: string;
  boot_id: string | null;
  since: string;
  heartbeat: string;
  lease_ms: number;
}

/** A database timestamp as the records write times: ISO 8601 UTC with milliseconds. */
export function iso(value: string | Date | null): string | null {
  if (value === null) return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export function lockRecordOf(row: LockRow): LockRecord {
  return {
    agent_id: row.agent_id,
    file_path: row.file_path,
    timestamp: iso(row.acquired_at)!,
    status: 'active',
    mode: row.mode,
    heartbeat: iso(row.heartbeat)!,
    pid: row.pid,
    host: row.host,
    token: Number(row.token),
    expires_at: iso(row.expires_at),
    version: 1,
    lease_ms: row.lease_ms,
    pid_start: row.pid_start === null ? null : Number(row.pid_start),
    boot_id: row.boot_id,
    ...(row.kept_for ? { kept_for: row.kept_for } : {}),
    ...(row.watchdog_pid !== null ? { watchdog_pid: row.watchdog_pid, watchdog_pid_start: row.watchdog_pid_start === null ? null : Number(row.watchdog_pid_start) } : {}),
  };
}

/** SQL literals for the simple protocol (several statements in one round trip). */
export class Literals {
  constructor(private readonly quote: (text: string) => string) {}

  text(value: string | null | undefined): string {
    return value == null ? 'NULL' : this.quote(value);
  }

  int(value: number | null | undefined): string {
    if (value == null) return 'NULL';
    if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer: ${value}`);
    return String(value);
  }

  json(value: unknown): string {
    return `${this.quote(JSON.stringify(value))}::jsonb`;
  }

  time(value: string | null | undefined): string {
    return value == null ? 'NULL' : `${this.quote(value)}::timestamptz`;
  }

  ints(values: number[]): string {
    return `ARRAY[${values.map((v) => this.int(v)).join(',')}]::bigint[]`;
  }
}
