// Messages on PostgreSQL: one row each, in `seq` order, under the scope's mail lock (a second
// advisory key, so messages never wait for lock traffic). Taking marks rows read; claiming marks
// them claimed by this process (host, boot, pid, start) until settled; claims whose claimer is
// dead on this host, this process's own claims no longer in flight, and claims from another host
// older than CLAIM_LEASE_MS go back to the inbox at the next take, in their order.

import { randomBytes } from 'node:crypto';
import { AgentvisorError } from '../errors.js';
import type { MessageRecord } from '../records.js';
import type { InboxEntry, SendRequest } from '../store.js';
import type { Session } from './connection.js';
import { iso, Literals } from './rows.js';
import { SCHEMA } from './schema.js';
import { CHANNEL, type PgContext } from './section.js';

/** A claim by a process on another host that never settled (it died or was cut off) goes back after this. */
export const CLAIM_LEASE_MS = 60_000;

interface MessageRow {
  seq: string | number;
  to_agent: string;
  from_agent: string;
  kind: 'message' | 'end';
  record: MessageRecord | null;
  state: 'unread' | 'claimed' | 'read';
  claimer_host: string | null;
  claimer_boot: string | null;
  claimer_pid: number | null;
  claimer_start: string | number | null;
  claimed_at: string | Date | null;
}

/** Claims of this process not settled yet (their seqs). */
export type InFlight = Set<number>;

function entryOf(row: MessageRow): InboxEntry {
  if (row.kind === 'end') return { kind: 'end', id: `${row.seq}-end`, from: row.from_agent };
  return { kind: 'message', record: row.record! };
}

/** Run `body` in a transaction holding the scope's mail lock; notifications go out on commit. */
async function inMail<T>(session: Session, ctx: PgContext, body: (lit: Literals, notify: (topic: string) => void) => Promise<T>): Promise<T> {
  const lit = new Literals(session.literal);
  await session.batch(`BEGIN; SELECT pg_advisory_xact_lock(hashtextextended(${lit.text(`agentvisor-mail:${ctx.scope}`)}, 0))`);
  const topics = new Set<string>();
  const result = await body(lit, (topic) => topics.add(topic));
  const notes = [...topics].map((t) => `SELECT pg_notify(${lit.text(CHANNEL)}, ${lit.text(`${ctx.scopeKey}:${t}`)})`);
  await session.batch([...notes, 'COMMIT'].join('; '));
  return result;
}

export async function knownAgents(session: Session, ctx: PgContext): Promise<string[]> {
  const { rows } = await session.query(
    `SELECT agent_id FROM ${SCHEMA}.agents WHERE scope = $1 UNION SELECT DISTINCT to_agent FROM ${SCHEMA}.messages WHERE scope = $1 ORDER BY 1`,
    [ctx.scope],
  );
  return rows.map((r: { agent_id: string }) => r.agent_id);
}

export async function send(session: Session, ctx: PgContext, request: SendRequest): Promise<MessageRecord[]> {
  return inMail(session, ctx, async (lit, notify) => {
    const known = await knownAgents(session, ctx);
    if (request.to !== '*' && request.requireKnownTarget && !known.includes(request.to)) {
      throw new AgentvisorError('UNKNOWN_AGENT', `unknown agent "${request.to}": not on the board and no inbox`, { agentId: request.to, known });
    }
    const targets = request.to === '*' ? known.filter((id) => id !== request.from) : [request.to];
    if (targets.length === 0) return [];
    const { rows } = await session.query(`SELECT nextval(pg_get_serial_sequence('${SCHEMA}.messages', 'seq')) AS seq, clock_timestamp() AS now FROM generate_series(1, $1)`, [targets.length]);
    const records = targets.map((to, i): MessageRecord => {
      const row = rows[i] as { seq: string; now: Date };
      return { id: `${row.seq}-${randomBytes(4).toString('hex')}`, from: request.from, to, type: request.type, message: request.message, timestamp: iso(row.now)! };
    });
    const values = records.map((r, i) => `(${lit.int(Number((rows[i] as { seq: string }).seq))}, ${lit.text(ctx.scope)}, ${lit.text(r.to)}, ${lit.text(r.from)}, 'message', ${lit.json(r)})`);
    await session.batch(`INSERT INTO ${SCHEMA}.messages (seq, scope, to_agent, from_agent, kind, record) VALUES ${values.join(', ')}`);
    for (const r of records) notify(`inbox:${r.to}`);
    return records;
  });
}

export async function sendEnd(session: Session, ctx: PgContext, to: string, from: string): Promise<void> {
  await inMail(session, ctx, async (lit, notify) => {
    await session.batch(`INSERT INTO ${SCHEMA}.messages (scope, to_agent, from_agent, kind) VALUES (${lit.text(ctx.scope)}, ${lit.text(to)}, ${lit.text(from)}, 'end')`);
    notify(`inbox:${to}`);
  });
}

interface Me {
  host: string;
  bootId: string | null;
  pid: number;
  start: number | null;
}

/** Whether a claim will never be settled by its claimer (see the file's first comment). */
function stranded(row: MessageRow, me: Me, ctx: PgContext, inFlight: InFlight, nowMs: number): boolean {
  if (row.claimer_host === me.host && row.claimer_boot === me.bootId) {
    const start = row.claimer_start === null ? null : Number(row.claimer_start);
    if (row.claimer_pid === me.pid && start === me.start) return !inFlight.has(Number(row.seq));
    if (row.claimer_pid === null) return true;
    return ctx.facts.pidState(row.claimer_pid, start) === 'dead';
  }
  if (row.claimer_host === me.host) return true;
  const at = row.claimed_at === null ? Number.NaN : new Date(row.claimed_at).getTime();
  return Number.isNaN(at) || nowMs - at > CLAIM_LEASE_MS;
}

function me(ctx: PgContext): Me {
  return { host: ctx.liveness.host, bootId: ctx.liveness.bootId, pid: process.pid, start: ctx.liveness.processStart(process.pid) };
}

async function pendingRows(session: Session, ctx: PgContext, agentId: string): Promise<{ rows: MessageRow[]; nowMs: number }> {
  const { rows } = await session.query(
    `SELECT m.*, (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now_ms FROM ${SCHEMA}.messages m
     WHERE scope = $1 AND to_agent = $2 AND state IN ('unread', 'claimed') ORDER BY seq`,
    [ctx.scope, agentId],
  );
  const nowMs = rows.length > 0 ? Number((rows[0] as { now_ms: number }).now_ms) : Date.now();
  return { rows: rows as MessageRow[], nowMs };
}

/**
 * Take (consume) or claim the inbox's entries, oldest first: `stop` includes the first end marker
 * and ends there; `skip` leaves end markers in place.
 */
export async function takeOrClaim(session: Session, ctx: PgContext, agentId: string, how: { ends: 'stop' | 'skip'; claim: boolean; inFlight: InFlight }): Promise<{ seqs: number[]; entries: InboxEntry[] }> {
  return inMail(session, ctx, async (lit, notify) => {
    const { rows, nowMs } = await pendingRows(session, ctx, agentId);
    const self = me(ctx);
    const back = rows.filter((r) => r.state === 'claimed' && stranded(r, self, ctx, how.inFlight, nowMs));
    const open = rows.filter((r) => r.state === 'unread' || back.includes(r));
    // Senders whose earlier messages another reader is still delivering: their later ones wait (should
    // that reader die, the claims come back and go first), so each sender's order holds, as on files.
    const waitFor = new Set(rows.filter((r) => r.state === 'claimed' && !back.includes(r)).map((r) => r.from_agent));
    const taken: MessageRow[] = [];
    for (const row of open) {
      if (row.kind === 'end' && how.ends === 'skip') continue;
      if (waitFor.has(row.from_agent)) {
        if (row.kind === 'end') break;
        continue;
      }
      taken.push(row);
      if (row.kind === 'end') break;
    }
    const seqs = taken.map((r) => Number(r.seq));
    const returned = back.filter((r) => !taken.includes(r)).map((r) => Number(r.seq));
    const statements: string[] = [];
    if (returned.length > 0) {
      statements.push(`UPDATE ${SCHEMA}.messages SET state = 'unread', claimer_host = NULL, claimer_boot = NULL, claimer_pid = NULL, claimer_start = NULL, claimed_at = NULL WHERE seq = ANY(${lit.ints(returned)})`);
      notify(`inbox:${agentId}`);
    }
    if (seqs.length > 0) {
      statements.push(how.claim
        ? `UPDATE ${SCHEMA}.messages SET state = 'claimed', claimer_host = ${lit.text(self.host)}, claimer_boot = ${lit.text(self.bootId)}, claimer_pid = ${lit.int(self.pid)}, claimer_start = ${lit.int(self.start)}, claimed_at = clock_timestamp() WHERE seq = ANY(${lit.ints(seqs)})`
        : `UPDATE ${SCHEMA}.messages SET state = 'read', read_at = clock_timestamp() WHERE seq = ANY(${lit.ints(seqs)})`);
    }
    if (statements.length > 0) await session.batch(statements.join('; '));
    return { seqs, entries: taken.map(entryOf) };
  });
}

/** The first `delivered` claimed seqs are read; the rest go back to the inbox. */
export async function settle(session: Session, ctx: PgContext, agentId: string, seqs: number[], delivered: number): Promise<void> {
  const done = seqs.slice(0, delivered);
  const back = seqs.slice(delivered);
  await inMail(session, ctx, async (lit, notify) => {
    const statements: string[] = [];
    if (done.length > 0) statements.push(`UPDATE ${SCHEMA}.messages SET state = 'read', read_at = clock_timestamp() WHERE seq = ANY(${lit.ints(done)})`);
    if (back.length > 0) {
      statements.push(`UPDATE ${SCHEMA}.messages SET state = 'unread', claimer_host = NULL, claimer_boot = NULL, claimer_pid = NULL, claimer_start = NULL, claimed_at = NULL WHERE seq = ANY(${lit.ints(back)})`);
      notify(`inbox:${agentId}`);
    }
    if (statements.length > 0) await session.batch(statements.join('; '));
  });
}

/** Unread messages without taking them (a stranded claim counts as unread). */
export async function peek(session: Session, ctx: PgContext, agentId: string, inFlight: InFlight): Promise<MessageRecord[]> {
  const { rows, nowMs } = await pendingRows(session, ctx, agentId);
  const self = me(ctx);
  return rows
    .filter((r) => r.kind === 'message' && (r.state === 'unread' || stranded(r, self, ctx, inFlight, nowMs)))
    .map((r) => r.record!);
}

/** Whether the inbox has anything unread (the watcher's fallback poll). */
export async function hasUnread(session: Session, ctx: PgContext, agentId: string): Promise<boolean> {
  const { rows } = await session.query(`SELECT EXISTS (SELECT 1 FROM ${SCHEMA}.messages WHERE scope = $1 AND to_agent = $2 AND state = 'unread') AS any`, [ctx.scope, agentId]);
  return rows[0]?.any === true;
}
