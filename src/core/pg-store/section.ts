// The PostgreSQL store's critical section: one transaction holding the scope's transaction-level
// advisory lock (safe behind PgBouncer in transaction mode; released by commit, rollback or a lost
// connection). On entry it reads the scope's locks and waiters and the database's clock in the
// same round trip, reclaims stale locks (judged by the shared staleness rule, on the database's
// clock) and drops waiters that are gone; callers plan their writes from that view (several
// callers in turn: batch.ts), and they are sent with COMMIT in one more round trip. A section
// without a view (`bare`) takes no lock: statements that need none (renewals, board writes,
// releases) go in one round trip.

import type { Liveness } from '../liveness.js';
import type { HistoryEntry, LockRecord } from '../records.js';
import { judge, type MachineFacts } from '../staleness.js';
import type { Session } from './connection.js';
import { Literals, lockRecordOf, type LockRow, type WaiterRow } from './rows.js';
import { SCHEMA } from './schema.js';
import { compareBootIds } from '../../platform/boot.js';

export interface PgContext {
  scope: string;
  /** A short hash of the scope: the NOTIFY payloads name it. */
  scopeKey: string;
  liveness: Liveness;
  facts: MachineFacts;
}

export const CHANNEL = 'agentvisor';

/** Where a section stood before a plan: a plan that throws is undone back to it. */
export interface SectionMark {
  statements: number;
  live: LockRow[];
  line: WaiterRow[];
  notes: string[];
  pending: number;
}

/** A plan needs rows granted earlier in the same batch to be committed first (their ids and tokens). */
export class NeedsCommitted extends Error {
  constructor() {
    super('this plan needs rows committed by an earlier section');
  }
}

/** Waiters queued in this section have no ticket yet: in the view they sort after every real one. */
const PENDING_TICKETS = 2 ** 52;

export class PgSection {
  readonly statements: string[] = [];
  readonly reclaimed: LockRecord[] = [];
  private notes = new Set<string>();
  /** Rows planned in this section (not committed yet): negative ids, synthetic tickets. */
  private pending = 0;

  constructor(
    readonly ctx: PgContext,
    readonly lit: Literals,
    /** The database's clock at entry (NaN without a view: statements then use clock_timestamp()). */
    readonly nowMs: number,
    public live: LockRow[],
    public line: WaiterRow[],
    /** Whether live and line were read under the scope's lock (else they are empty and unknown). */
    readonly viewed = true,
  ) {}

  mark(): SectionMark {
    return { statements: this.statements.length, live: this.live, line: this.line, notes: [...this.notes], pending: this.pending };
  }

  /** Undo a plan that threw: its statements, its view changes and its notifications. */
  undo(mark: SectionMark): void {
    this.statements.length = mark.statements;
    this.live = mark.live;
    this.line = mark.line;
    this.notes = new Set(mark.notes);
    this.pending = mark.pending;
  }

  /** A lock row planned in this section, for the view of the plans after it (id < 0, no token yet). */
  pendingLock(row: Omit<LockRow, 'id' | 'token' | 'beats'>): void {
    this.pending++;
    this.live = [...this.live, { ...row, id: -this.pending, token: Number.NaN, beats: 0 }];
  }

  /** A waiter queued in this section, behind every waiter already in line. */
  pendingWaiter(row: Omit<WaiterRow, 'ticket'>): void {
    this.pending++;
    this.line = [...this.line, { ...row, ticket: PENDING_TICKETS + this.pending }];
  }

  get nowIso(): string {
    return new Date(this.nowMs).toISOString();
  }

  get scopeLit(): string {
    return this.lit.text(this.ctx.scope);
  }

  /** Queue a statement for the commit round trip; its index among the results. */
  add(sql: string): number {
    this.statements.push(sql);
    return this.statements.length - 1;
  }

  history(entries: HistoryEntry[]): void {
    if (entries.length === 0) return;
    const values = entries.map((e) => `(${this.scopeLit}, ${this.lit.json(e)})`).join(', ');
    this.add(`INSERT INTO ${SCHEMA}.history (scope, entry) VALUES ${values}`);
  }

  /** Wake whoever waits on the locks of this scope (`locks`) or an inbox (`inbox:<id>`), on commit. */
  notify(topic: string): void {
    this.notes.add(topic);
  }

  get notifications(): string[] {
    return [...this.notes].map((topic) => `${this.ctx.scopeKey}:${topic}`);
  }
}

function entrySql(ctx: PgContext, lit: Literals, readWaiters: boolean): string {
  const scope = lit.text(ctx.scope);
  const waiters = readWaiters
    ? `(SELECT coalesce(json_agg(w ORDER BY w.ticket), '[]'::json) FROM ${SCHEMA}.waiters w WHERE w.scope = ${scope})`
    : `'[]'::json`;
  return [
    'BEGIN',
    `SELECT pg_advisory_xact_lock(hashtextextended(${lit.text(`agentvisor:${ctx.scope}`)}, 0))`,
    `SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now_ms,
       (SELECT coalesce(json_agg(l), '[]'::json) FROM ${SCHEMA}.locks l WHERE l.scope = ${scope}) AS locks,
       ${waiters} AS waiters`,
  ].join('; ');
}

/** A waiter whose process is gone or that did not refresh its place within its lease: it lost it. */
export function waiterGone(w: WaiterRow, nowMs: number, facts: MachineFacts): boolean {
  if (w.host === facts.host) {
    // As the file store judges its waiters: a boot id from `uptime` (portable) jitters; unknown is no proof.
    if (compareBootIds(w.boot_id, facts.bootId) === 'different') return true;
    if (facts.pidState(w.pid, w.pid_start) === 'dead') return true;
  }
  return nowMs - Date.parse(w.heartbeat) > w.lease_ms;
}

/**
 * Enter: lock the scope, read it, reclaim stale locks (a separate statement that skips a lock
 * renewed meanwhile: renewals do not take the scope lock), drop gone waiters.
 */
export async function enter(session: Session, ctx: PgContext, readWaiters: boolean): Promise<PgSection> {
  const lit = new Literals(session.literal);
  const results = await session.batch(entrySql(ctx, lit, readWaiters));
  const row = results[2]!.rows[0] as { now_ms: number; locks: LockRow[]; waiters: WaiterRow[] };
  const s = new PgSection(ctx, lit, Number(row.now_ms), row.locks, row.waiters);
  await reclaim(session, s);
  const gone = s.line.filter((w) => waiterGone(w, s.nowMs, ctx.facts));
  if (gone.length > 0) {
    s.line = s.line.filter((w) => !gone.includes(w));
    s.add(`DELETE FROM ${SCHEMA}.waiters WHERE ticket = ANY(${lit.ints(gone.map((w) => Number(w.ticket)))})`);
    s.notify('locks');
  }
  return s;
}

async function reclaim(session: Session, s: PgSection): Promise<void> {
  const now = { wall: s.nowMs, mono: Number.NaN };
  const stale = s.live.map((row) => ({ row, verdict: judge(lockRecordOf(row), now, s.ctx.facts) })).filter((x) => x.verdict.stale);
  if (stale.length === 0) return;
  const pairs = stale.map((x) => `(${s.lit.int(Number(x.row.id))}, ${s.lit.int(x.row.beats)})`).join(', ');
  const deleted = await session.query(`DELETE FROM ${SCHEMA}.locks WHERE (id, beats) IN (${pairs}) RETURNING id`);
  const gone = new Set(deleted.rows.map((r: { id: string | number }) => Number(r.id)));
  const entries: HistoryEntry[] = [];
  for (const { row, verdict } of stale) {
    if (!gone.has(Number(row.id))) continue;
    const record = lockRecordOf(row);
    s.reclaimed.push(record);
    const base = { at: s.nowIso, agent_id: row.agent_id, file_path: row.file_path, token: record.token };
    if (verdict.stale && verdict.event === 'expired') entries.push({ ...base, event: 'expired' });
    entries.push({ ...base, event: 'reclaimed' });
  }
  s.live = s.live.filter((row) => !gone.has(Number(row.id)));
  if (gone.size > 0) {
    s.history(entries);
    s.notify('locks');
  }
}

/** A section without the scope's lock and without a view: statements that need neither. */
export function bare(session: Session, ctx: PgContext): PgSection {
  return new PgSection(ctx, new Literals(session.literal), Number.NaN, [], [], false);
}

/**
 * End a section: its statements, its notifications and COMMIT in one round trip (a bare section
 * sends its statements as one implicit transaction); the results in the statements' order.
 */
export async function commit(session: Session, s: PgSection): Promise<{ rows: unknown[] }[]> {
  for (const payload of s.notifications) s.add(`SELECT pg_notify(${s.lit.text(CHANNEL)}, ${s.lit.text(payload)})`);
  if (!s.viewed) return s.statements.length > 0 ? session.batch(s.statements.join(';\n')) : [];
  if (s.statements.length === 0) {
    await session.batch('COMMIT');
    return [];
  }
  return session.batch(`${s.statements.join(';\n')};\nCOMMIT`);
}
