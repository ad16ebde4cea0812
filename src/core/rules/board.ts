// (Both stores.) The board record assembled from what a store read: locks in token order, agents as
// they really stand (core/agent-liveness.ts), the waiting line with whom each waits behind, the
// journals' newest tails, and the PostgreSQL store's scope.

import { settledAgents } from '../agent-liveness.js';
import type { AgentEntry, BoardRecord, ConflictRecord, HistoryEntry, LockRecord, MessageRecord, WaiterRecord } from '../records.js';
import type { MachineFacts } from '../staleness.js';
import type { LineEntry } from './acquire.js';
import { holderConflicts, waiterConflicts } from './conflicts.js';

/** How many history entries, conflicts and messages the board shows (newest last). */
export const BOARD_HISTORY = 200;
export const BOARD_CONFLICTS = 100;
export const BOARD_MESSAGES = 50;

export interface BoardParts {
  /** The store's clock now, ISO. */
  now: string;
  facts: MachineFacts;
  locks: LockRecord[];
  agents: Record<string, AgentEntry>;
  /** Live waiters, in line order. */
  line: Omit<LineEntry, 'ticket'>[];
  pendingMessages: Record<string, number>;
  history: HistoryEntry[];
  conflicts: ConflictRecord[];
  messages: MessageRecord[];
  /** The PostgreSQL store's scope. */
  scope?: string;
}

export function assembleBoard(parts: BoardParts): BoardRecord {
  const locks = [...parts.locks].sort((a, b) => a.token - b.token || a.file_path.localeCompare(b.file_path));
  const agents: Record<string, AgentEntry> = {};
  for (const id of Object.keys(parts.agents).sort()) agents[id] = parts.agents[id]!;
  return {
    updated_at: parts.now,
    now: parts.now,
    locks: locks.map((l) => ({ ...l, lease_ms: l.lease_ms ?? null })),
    agents: settledAgents(agents, parts.facts, parts.now),
    waiters: waitingLine(parts.line, locks),
    pending_messages: parts.pendingMessages,
    history: parts.history.slice(-BOARD_HISTORY),
    conflicts: parts.conflicts.slice(-BOARD_CONFLICTS),
    messages: parts.messages.slice(-BOARD_MESSAGES),
    ...(parts.scope !== undefined ? { scope: parts.scope } : {}),
  };
}

/** The waiting line in order, each with the agents it waits behind (holders, earlier waiters). */
export function waitingLine(line: Omit<LineEntry, 'ticket'>[], locks: LockRecord[]): WaiterRecord[] {
  const earlier: Omit<LineEntry, 'ticket'>[] = [];
  const waiters: WaiterRecord[] = [];
  for (const entry of line) {
    let blockers: string[];
    try {
      const conflicts = [...holderConflicts(entry.agent_id, entry.paths, locks), ...waiterConflicts(entry.agent_id, entry.paths, earlier)];
      blockers = [...new Set(conflicts.flatMap((c) => (c.locked_by ? [c.locked_by] : [])))];
    } catch {
      blockers = [];
    }
    waiters.push({ agent_id: entry.agent_id, paths: entry.paths.map((p) => p.path), since: entry.since, blocked_by: blockers });
    earlier.push(entry);
  }
  return waiters;
}
