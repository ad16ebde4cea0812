// Locks on PostgreSQL: one acquisition attempt planned inside the scope's section (the shared rule
// decides; the grant is one INSERT under one token from the sequence), release, renewal as one
// UPDATE ... RETURNING outside any section, and the live locks read without one (check, status).

import type { ConflictRecord, HistoryEntry, LockRecord } from '../records.js';
import { conflictLogEntries, decideAttempt, planGrant, type LineEntry } from '../rules/acquire.js';
import { judge, type MachineFacts } from '../staleness.js';
import type { AcquireRequest, ProcessIdentity, RenewResult } from '../store.js';
import type { Session } from './connection.js';
import { iso, lockRecordOf, type LockRow, type WaiterRow } from './rows.js';
import { SCHEMA } from './schema.js';
import type { PgContext, PgSection } from './section.js';

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
    s.notify('locks');
  }
  if (decision.kind === 'grant') return planGrantWrites(s, request, held);
  if (decision.kind === 'refuse') {
    if (decision.log) logConflicts(s, conflictLogEntries(request.agentId, request.paths, decision.conflicts, s.nowIso));
    return () => ({ kind: 'refused', conflicts: decision.conflicts });
  }
  const { conflicts } = decision;
  if (ticket !== null) {
    s.add(`UPDATE ${SCHEMA}.waiters SET heartbeat = ${s.lit.time(s.nowIso)} WHERE ticket = ${s.lit.int(ticket)}`);
    return () => ({ kind: 'waiting', ticket, conflicts });
  }
  const { liveness } = s.ctx;
  const index = s.add(
    `INSERT INTO ${SCHEMA}.waiters (scope, agent_id, paths, pid, pid_start, host, boot_id, since, heartbeat, lease_ms) VALUES (${[
      s.scopeLit, s.lit.text(request.agentId), s.lit.json(request.paths.map((p) => ({ path: p.path, mode: p.mode }))), s.lit.int(process.pid),
      s.lit.int(liveness.processStart(process.pid)), s.lit.text(liveness.host), s.lit.text(liveness.bootId), s.lit.time(s.nowIso), s.lit.time(s.nowIso), s.lit.int(queueLeaseMs),
    ].join(', ')}) RETURNING ticket`,
  );
  logConflicts(s, conflictLogEntries(request.agentId, request.paths, conflicts, s.nowIso));
  return (results) => ({ kind: 'waiting', ticket: Number((results[index]!.rows[0] as { ticket: string }).ticket), conflicts });
}

function planGrantWrites(s: PgSection, request: AcquireRequest, held: LockRecord[]): Reader<Attempt> {
  const { kept, fresh } = planGrant(request.agentId, request.owner.pid, request.paths, held);
  if (fresh.length === 0) {
    return () => ({ kind: 'granted', locks: kept, token: Math.max(...kept.map((l) => l.token)) });
  }
  const { liveness } = s.ctx;
  const owner = request.owner;
  const now = s.lit.time(s.nowIso);
  const expires = request.ttlMs != null ? s.lit.time(new Date(s.nowMs + request.ttlMs).toISOString()) : 'NULL';
  const pidStart = owner.pid != null ? liveness.processStart(owner.pid) : null;
  const keptFor = owner.keptFor && owner.pid != null ? owner.keptFor : null;
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

/** Remove the locks `select` picks of the agent (with `force`, anyone's); history for each. */
export function planRemove(s: PgSection, agentId: string, force: boolean, select: (lock: LockRecord) => boolean, mine: (lock: LockRecord) => boolean): Reader<LockRecord[]> {
  const targets = s.live.filter((row) => {
    const record = lockRecordOf(row);
    return (force || mine(record)) && select(record);
  });
  if (targets.length === 0) return () => [];
  const records = targets.map(lockRecordOf);
  s.add(`DELETE FROM ${SCHEMA}.locks WHERE id = ANY(${s.lit.ints(targets.map((t) => Number(t.id)))})`);
  s.history(records.map((r): HistoryEntry => {
    const forced = !mine(r);
    return { at: s.nowIso, agent_id: r.agent_id, file_path: r.file_path, event: forced ? 'forced' : 'released', token: r.token, ...(forced ? { by: agentId } : {}) };
  }));
  s.notify('locks');
  return () => records;
}

/**
 * Renew the agent's locks kept alive by `pid` on this host: one statement. A lock whose lease or
 * TTL already ran out on the database's clock is not renewed (it is lost, whoever reclaims it).
 */
export async function renew(session: Session, ctx: PgContext, agentId: string, options: { pid: number; expected?: LockRecord[]; watchdog?: ProcessIdentity | null }): Promise<RenewResult> {
  const { rows } = await session.query(
    `UPDATE ${SCHEMA}.locks SET heartbeat = clock_timestamp(), beats = beats + 1,
       watchdog_pid = coalesce($5, watchdog_pid), watchdog_pid_start = CASE WHEN $5::int IS NULL THEN watchdog_pid_start ELSE $6::bigint END
     WHERE scope = $1 AND coalesce(nullif(kept_for, ''), agent_id) = $2 AND pid = $3 AND host = $4 AND boot_id IS NOT DISTINCT FROM $7
       AND (lease_ms IS NULL OR heartbeat + lease_ms * interval '1 millisecond' >= clock_timestamp())
       AND (expires_at IS NULL OR expires_at > clock_timestamp())
     RETURNING *`,
    [ctx.scope, agentId, options.pid, ctx.liveness.host, options.watchdog?.pid ?? null, options.watchdog?.start ?? null, ctx.liveness.bootId],
  );
  const renewed = (rows as LockRow[]).map(lockRecordOf);
  const lost = (options.expected ?? []).filter((e) => !renewed.some((r) => r.agent_id === e.agent_id && r.file_path === e.file_path && r.token === e.token));
  return { renewed, lost };
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
