// Locks on PostgreSQL: one acquisition attempt planned inside the scope's section (the shared rule
// decides; the grant is one INSERT under one token from the sequence), a forced removal planned in
// it; release as one DELETE ... RETURNING and renewal as one UPDATE ... RETURNING, both outside any
// section (no scope lock); and the live locks read without one (check, status). Every plan keeps
// the section's view current, so the next plan of a batch sees its effect.

import type { ConflictRecord, HistoryEntry, LockRecord } from '../records.js';
import { conflictLogEntries, decideAttempt, mayRelease, planGrant, queueRefreshMs, type LineEntry } from '../rules/acquire.js';
import { judge, NO_LEASE_MAX_AGE_MS, type MachineFacts } from '../staleness.js';
import type { AcquireRequest, ProcessIdentity, RenewOptions, RenewResult } from '../store.js';
import type { Session } from './connection.js';
import { iso, lockRecordOf, type LockRow, type WaiterRow } from './rows.js';
import { SCHEMA } from './schema.js';
import { CHANNEL, NeedsCommitted, type PgContext, type PgSection } from './section.js';

export type Attempt =
  | { kind: 'granted'; locks: LockRecord[]; token: number }
  | { kind: 'refused'; conflicts: ConflictRecord[] }
  | { kind: 'waiting'; ticket: number; conflicts: ConflictRecord[] };

type Reader<T> = (results: { rows: unknown[] }[]) => T;

function lineOf(rows: WaiterRow[]): LineEntry[] {
  return rows.map((w) => ({ ticket: Number(w.ticket), agent_id: w.agent_id, paths: w.paths, since: iso(w.since)! }));
}

export function planAttempt(s: PgSection, request: AcquireRequest, given: number | null, leaving: boolean, queueLeaseMs: number): Reader<Attempt> {
  const held = s.live.map(lockRecordOf);
  const decision = decideAttempt({ agentId: request.agentId, paths: request.paths, held, line: lineOf(s.line), ticket: given, wait: request.wait === true, leaving });
  const { ticket } = decision;
  if (ticket !== null && decision.kind !== 'wait') {
    s.add(`DELETE FROM ${SCHEMA}.waiters WHERE ticket = ${s.lit.int(ticket)}`);
    s.line = s.line.filter((w) => Number(w.ticket) !== ticket);
    s.notify('locks');
  }
  if (decision.kind === 'grant') return planGrantWrites(s, request, held);
  if (decision.kind === 'refuse') {
    if (decision.log) logConflicts(s, conflictLogEntries(request.agentId, request.paths, decision.conflicts, s.nowIso));
    return () => ({ kind: 'refused', conflicts: decision.conflicts });
  }
  const { conflicts } = decision;
  if (ticket !== null) {
    // Refreshed as the file store refreshes its entry: four times a lease, not at every attempt
    // (attempts come every 20 ms at first, each inside the scope's lock).
    const mine = s.line.find((w) => Number(w.ticket) === ticket);
    if (!mine || s.nowMs - Date.parse(mine.heartbeat) > queueRefreshMs(queueLeaseMs)) {
      s.add(`UPDATE ${SCHEMA}.waiters SET heartbeat = ${s.lit.time(s.nowIso)} WHERE ticket = ${s.lit.int(ticket)}`);
    }
    return () => ({ kind: 'waiting', ticket, conflicts });
  }
  const { liveness } = s.ctx;
  const pidStart = liveness.processStart(process.pid);
  s.pendingWaiter({
    agent_id: request.agentId, paths: request.paths, pid: process.pid, pid_start: pidStart,
    host: liveness.host, boot_id: liveness.bootId, since: s.nowIso, heartbeat: s.nowIso, lease_ms: queueLeaseMs,
  });
  const index = s.add(
    `INSERT INTO ${SCHEMA}.waiters (scope, agent_id, paths, pid, pid_start, host, boot_id, since, heartbeat, lease_ms) VALUES (${[
      s.scopeLit, s.lit.text(request.agentId), s.lit.json(request.paths.map((p) => ({ path: p.path, mode: p.mode }))), s.lit.int(process.pid),
      s.lit.int(pidStart), s.lit.text(liveness.host), s.lit.text(liveness.bootId), s.lit.time(s.nowIso), s.lit.time(s.nowIso), s.lit.int(queueLeaseMs),
    ].join(', ')}) RETURNING ticket`,
  );
  logConflicts(s, conflictLogEntries(request.agentId, request.paths, conflicts, s.nowIso));
  return (results) => ({ kind: 'waiting', ticket: Number((results[index]!.rows[0] as { ticket: string }).ticket), conflicts });
}

function planGrantWrites(s: PgSection, request: AcquireRequest, held: LockRecord[]): Reader<Attempt> {
  const { kept, fresh } = planGrant(request.agentId, request.owner.pid, request.paths, held);
  // What it holds already was granted earlier in this batch: its token is known after the commit.
  if (kept.some((l) => Number.isNaN(l.token))) throw new NeedsCommitted();
  if (fresh.length === 0) {
    return () => ({ kind: 'granted', locks: kept, token: Math.max(...kept.map((l) => l.token)) });
  }
  const { liveness } = s.ctx;
  const owner = request.owner;
  const now = s.lit.time(s.nowIso);
  const expires = request.ttlMs != null ? s.lit.time(new Date(s.nowMs + request.ttlMs).toISOString()) : 'NULL';
  const pidStart = owner.pid != null ? liveness.processStart(owner.pid) : null;
  const keptFor = owner.keptFor && owner.pid != null ? owner.keptFor : null;
  for (const p of fresh) {
    s.pendingLock({
      scope: s.ctx.scope, agent_id: request.agentId, file_path: p.path, mode: p.mode, acquired_at: s.nowIso, heartbeat: s.nowIso,
      pid: owner.pid, pid_start: pidStart, host: liveness.host, boot_id: liveness.bootId, watchdog_pid: owner.watchdog?.pid ?? null,
      watchdog_pid_start: owner.watchdog?.start ?? null, kept_for: keptFor, lease_ms: owner.leaseMs, expires_at: request.ttlMs != null ? new Date(s.nowMs + request.ttlMs).toISOString() : null,
    });
  }
  s.add(`SELECT nextval('${SCHEMA}.tokens')`);
  const values = fresh.map((p) => `(${[
    s.scopeLit, s.lit.text(request.agentId), s.lit.text(p.path), s.lit.text(p.mode), `currval('${SCHEMA}.tokens')`, now, now,
    s.lit.int(owner.pid), s.lit.int(pidStart), s.lit.text(liveness.host), s.lit.text(liveness.bootId),
    s.lit.int(owner.watchdog?.pid ?? null), s.lit.int(owner.watchdog?.start ?? null), s.lit.text(keptFor), s.lit.int(owner.leaseMs), expires,
  ].join(', ')})`);
  const index = s.add(
    `INSERT INTO ${SCHEMA}.locks (scope, agent_id, file_path, mode, token, acquired_at, heartbeat, pid, pid_start, host, boot_id, watchdog_pid, watchdog_pid_start, kept_for, lease_ms, expires_at)
     VALUES ${values.join(', ')} RETURNING *`,
  );
  s.add(
    `INSERT INTO ${SCHEMA}.history (scope, entry) SELECT scope, jsonb_build_object('at', ${s.lit.text(s.nowIso)}, 'agent_id', agent_id, 'file_path', file_path, 'event', 'locked', 'token', token)
     FROM ${SCHEMA}.locks WHERE scope = ${s.scopeLit} AND token = currval('${SCHEMA}.tokens') ORDER BY id`,
  );
  return (results) => {
    const records = (results[index]!.rows as LockRow[]).map(lockRecordOf);
    return { kind: 'granted', locks: [...kept, ...records], token: records[0]!.token };
  };
}

export function logConflicts(s: PgSection, entries: ConflictRecord[]): void {
  if (entries.length === 0) return;
  s.add(`INSERT INTO ${SCHEMA}.conflicts (scope, entry) VALUES ${entries.map((e) => `(${s.scopeLit}, ${s.lit.json(e)})`).join(', ')}`);
}

/**
 * Remove the locks `select` picks of the agent (with `force`, anyone's), in the section; history
 * for each. The DELETE says which rows it removed (a release outside the section may have taken
 * one meanwhile): only those are answered and recorded.
 */
export function planRemove(s: PgSection, agentId: string, force: boolean, select: (lock: LockRecord) => boolean, mine: (lock: LockRecord) => boolean): Reader<LockRecord[]> {
  const targets = s.live.filter((row) => {
    const record = lockRecordOf(row);
    return (force || mine(record)) && select(record);
  });
  if (targets.length === 0) return () => [];
  if (targets.some((t) => Number(t.id) < 0)) throw new NeedsCommitted();
  s.live = s.live.filter((row) => !targets.includes(row));
  const entries = targets.map((row) => {
    const r = lockRecordOf(row);
    const forced = !mine(r);
    const entry: HistoryEntry = { at: s.nowIso, agent_id: r.agent_id, file_path: r.file_path, event: forced ? 'forced' : 'released', token: r.token, ...(forced ? { by: agentId } : {}) };
    return `(${s.lit.int(Number(row.id))}, ${s.lit.json(entry)})`;
  });
  const index = s.add(
    `WITH d AS (DELETE FROM ${SCHEMA}.locks WHERE id = ANY(${s.lit.ints(targets.map((t) => Number(t.id)))}) RETURNING *),
       h AS (INSERT INTO ${SCHEMA}.history (scope, entry) SELECT d.scope, e.entry FROM d JOIN (VALUES ${entries.join(', ')}) AS e(id, entry) ON e.id = d.id ORDER BY d.id)
     SELECT * FROM d ORDER BY id`,
  );
  s.notify('locks');
  return (results) => (results[index]!.rows as LockRow[]).map(lockRecordOf);
}

/** Which of the agent's locks a release takes (SQL over `locks`, and the same test for a view). */
export interface ReleaseSpec {
  agentId: string;
  /** Null: every lock of the agent (releaseAll). */
  paths: string[] | null;
  /** With a pid: only the locks that pid keeps alive (`anyId`: under any agent id, kept for this agent). */
  pid?: number;
  anyId: boolean;
  /** Only locks of this agent id (a holder named without force). */
  holder?: string;
}

function releaseWhere(s: PgSection, spec: ReleaseSpec): string {
  const lit = s.lit;
  const terms = [`scope = ${s.scopeLit}`];
  if (spec.paths !== null) terms.push(`file_path = ANY(ARRAY[${spec.paths.map((p) => lit.text(p)).join(', ')}]::text[])`);
  if (spec.pid === undefined) terms.push(`agent_id = ${lit.text(spec.agentId)}`);
  else {
    terms.push(`pid = ${lit.int(spec.pid)}`);
    terms.push(spec.anyId ? `coalesce(nullif(kept_for, ''), agent_id) = ${lit.text(spec.agentId)}` : `agent_id = ${lit.text(spec.agentId)}`);
  }
  if (spec.holder !== undefined) terms.push(`agent_id = ${lit.text(spec.holder)}`);
  // A lock whose lease or TTL ran out (on the database's clock) is not released: the next section
  // reclaims it, as the file store's section would have before the release looked.
  terms.push(`(expires_at IS NULL OR expires_at > clock_timestamp())`);
  terms.push(`heartbeat + coalesce(nullif(lease_ms, 0), ${NO_LEASE_MAX_AGE_MS}) * interval '1 millisecond' >= clock_timestamp()`);
  return terms.join(' AND ');
}

function releasedBySpec(row: LockRow, spec: ReleaseSpec): boolean {
  const record = lockRecordOf(row);
  if (spec.paths !== null && !spec.paths.includes(record.file_path)) return false;
  if (spec.holder !== undefined && record.agent_id !== spec.holder) return false;
  return mayRelease(record, spec.agentId, spec.pid, spec.anyId);
}

/**
 * A release: one statement, no scope lock (docs/pg-store.md argues why): delete the agent's locks,
 * record them `released` and wake the waiters, in one DELETE ... RETURNING. In a section with a
 * view, the plans after it see the locks gone.
 */
export function planRelease(s: PgSection, spec: ReleaseSpec): Reader<LockRecord[]> {
  if (s.viewed) s.live = s.live.filter((row) => !releasedBySpec(row, spec));
  const payload = s.lit.text(`${s.ctx.scopeKey}:locks`);
  const index = s.add(
    `WITH d AS (DELETE FROM ${SCHEMA}.locks WHERE ${releaseWhere(s, spec)} RETURNING *),
       h AS (INSERT INTO ${SCHEMA}.history (scope, entry)
         SELECT scope, jsonb_build_object('at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'agent_id', agent_id, 'file_path', file_path, 'event', 'released', 'token', token) FROM d ORDER BY id)
     SELECT d.*, pg_notify(${s.lit.text(CHANNEL)}, ${payload}) AS woke FROM d ORDER BY id`,
  );
  return (results) => (results[index]!.rows as LockRow[]).map(lockRecordOf);
}

/**
 * Renew the agent's locks kept alive by `pid` on this host: one statement, no scope lock. A lock
 * whose lease or TTL already ran out on the database's clock is not renewed (it is lost, whoever
 * reclaims it).
 */
export function planRenew(s: PgSection, agentId: string, options: Pick<RenewOptions, 'pid' | 'expected' | 'watchdog'>): Reader<RenewResult> {
  const { lit } = s;
  const { liveness } = s.ctx;
  const watchdog: ProcessIdentity | null = options.watchdog ?? null;
  const setWatchdog = watchdog ? `, watchdog_pid = ${lit.int(watchdog.pid)}, watchdog_pid_start = ${lit.int(watchdog.start)}` : '';
  const index = s.add(
    `UPDATE ${SCHEMA}.locks SET heartbeat = clock_timestamp(), beats = beats + 1${setWatchdog}
     WHERE scope = ${s.scopeLit} AND coalesce(nullif(kept_for, ''), agent_id) = ${lit.text(agentId)} AND pid = ${lit.int(options.pid)}
       AND host = ${lit.text(liveness.host)} AND boot_id IS NOT DISTINCT FROM ${lit.text(liveness.bootId)}
       AND (lease_ms IS NULL OR heartbeat + lease_ms * interval '1 millisecond' >= clock_timestamp())
       AND (expires_at IS NULL OR expires_at > clock_timestamp())
     RETURNING *`,
  );
  return (results) => {
    const renewed = (results[index]!.rows as LockRow[]).map(lockRecordOf);
    const lost = (options.expected ?? []).filter((e) => !renewed.some((r) => r.agent_id === e.agent_id && r.file_path === e.file_path && r.token === e.token));
    return { renewed, lost };
  };
}

/** The scope's locks and the database's clock in one query, stale ones left out. */
export async function readLive(session: Session, ctx: PgContext): Promise<{ locks: LockRecord[]; nowMs: number }> {
  const { rows } = await session.query(
    `SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now_ms,
       (SELECT coalesce(json_agg(l), '[]'::json) FROM ${SCHEMA}.locks l WHERE l.scope = $1) AS locks`,
    [ctx.scope],
  );
  const row = rows[0] as { now_ms: number; locks: LockRow[] };
  return { locks: liveOf(row.locks, Number(row.now_ms), ctx.facts), nowMs: Number(row.now_ms) };
}

export function liveOf(rows: LockRow[], nowMs: number, facts: MachineFacts): LockRecord[] {
  const now = { wall: nowMs, mono: Number.NaN };
  return rows.map(lockRecordOf).filter((r) => !judge(r, now, facts).stale);
}
