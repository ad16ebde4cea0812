// The board of a scope on PostgreSQL, read fresh in one query: live locks and the live waiting line
// (judged on the database's clock), agents (another host's judged by when its supervisor last
// touched it), pending and recent messages, the journals' tails; assembled by the shared rule.

import { settledElsewhere } from '../agent-liveness.js';
import { blankEntry } from '../fs-store/agents.js';
import type { AgentEntry, BoardRecord, ConflictRecord, HistoryEntry, MessageRecord } from '../records.js';
import { assembleBoard, BOARD_CONFLICTS, BOARD_HISTORY, BOARD_MESSAGES } from '../rules/board.js';
import type { Session } from './connection.js';
import { liveOf } from './locks.js';
import { iso, type LockRow, type WaiterRow } from './rows.js';
import { SCHEMA } from './schema.js';
import { waiterGone, type PgContext } from './section.js';

interface BoardRow {
  now_ms: number;
  locks: LockRow[];
  agents: Record<string, { entry: Partial<AgentEntry>; seen_ms: number }> | null;
  pending: Record<string, number> | null;
  history: HistoryEntry[];
  conflicts: ConflictRecord[];
  waiters: WaiterRow[];
  messages: MessageRecord[];
}

export async function readBoard(session: Session, ctx: PgContext): Promise<BoardRecord> {
  const { rows } = await session.query(
    `SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now_ms,
       (SELECT coalesce(json_agg(l), '[]'::json) FROM ${SCHEMA}.locks l WHERE l.scope = $1) AS locks,
       (SELECT json_object_agg(agent_id, json_build_object('entry', entry, 'seen_ms', (extract(epoch FROM updated_at) * 1000)::float8))
          FROM ${SCHEMA}.agents WHERE scope = $1) AS agents,
       (SELECT json_object_agg(to_agent, n) FROM (SELECT to_agent, count(*) AS n FROM ${SCHEMA}.messages
          WHERE scope = $1 AND kind = 'message' AND state IN ('unread', 'claimed') GROUP BY to_agent) p) AS pending,
       (SELECT coalesce(json_agg(entry ORDER BY id), '[]'::json) FROM (SELECT id, entry FROM ${SCHEMA}.history WHERE scope = $1 ORDER BY id DESC LIMIT ${BOARD_HISTORY}) h) AS history,
       (SELECT coalesce(json_agg(entry ORDER BY id), '[]'::json) FROM (SELECT id, entry FROM ${SCHEMA}.conflicts WHERE scope = $1 ORDER BY id DESC LIMIT ${BOARD_CONFLICTS}) c) AS conflicts,
       (SELECT coalesce(json_agg(w ORDER BY w.ticket), '[]'::json) FROM ${SCHEMA}.waiters w WHERE w.scope = $1) AS waiters,
       (SELECT coalesce(json_agg(record ORDER BY seq), '[]'::json) FROM (SELECT seq, record FROM ${SCHEMA}.messages
          WHERE scope = $1 AND kind = 'message' ORDER BY seq DESC LIMIT ${BOARD_MESSAGES}) m) AS messages`,
    [ctx.scope],
  );
  const row = rows[0] as BoardRow;
  const nowMs = Number(row.now_ms);
  const agents: Record<string, AgentEntry> = {};
  // Another host's entry is judged by when its supervisor last wrote or touched it (the database's clock).
  for (const [id, { entry, seen_ms }] of Object.entries(row.agents ?? {})) agents[id] = settledElsewhere({ ...blankEntry(), ...entry }, ctx.facts, nowMs, Number(seen_ms));
  return assembleBoard({
    now: new Date(nowMs).toISOString(),
    facts: ctx.facts,
    locks: liveOf(row.locks, nowMs, ctx.facts),
    line: row.waiters.filter((w) => !waiterGone(w, nowMs, ctx.facts)).map((w) => ({ agent_id: w.agent_id, paths: w.paths, since: iso(w.since)! })),
    messages: row.messages,
    agents,
    pendingMessages: Object.fromEntries(Object.entries(row.pending ?? {}).sort(([a], [b]) => a.localeCompare(b))),
    history: row.history,
    conflicts: row.conflicts,
    scope: ctx.scope,
  });
}
