// (Both stores.) The board record assembled from what a store read: locks in token order, the
// journals' newest tails, and the fields only some stores have (scope, the store's clock).

import type { AgentEntry, BoardRecord, ConflictRecord, HistoryEntry, LockRecord } from '../records.js';

/** How many history entries and conflicts the board shows (newest last). */
export const BOARD_HISTORY = 200;
export const BOARD_CONFLICTS = 100;

export interface BoardParts {
  /** The store's clock now, ISO. */
  now: string;
  locks: LockRecord[];
  agents: Record<string, AgentEntry>;
  pendingMessages: Record<string, number>;
  history: HistoryEntry[];
  conflicts: ConflictRecord[];
  /** The PostgreSQL store's scope. */
  scope?: string;
}

export function assembleBoard(parts: BoardParts): BoardRecord {
  const agents: Record<string, AgentEntry> = {};
  for (const id of Object.keys(parts.agents).sort()) agents[id] = parts.agents[id]!;
  return {
    updated_at: parts.now,
    locks: [...parts.locks].sort((a, b) => a.token - b.token || a.file_path.localeCompare(b.file_path)),
    agents,
    pending_messages: parts.pendingMessages,
    history: parts.history.slice(-BOARD_HISTORY),
    conflicts: parts.conflicts.slice(-BOARD_CONFLICTS),
    ...(parts.scope !== undefined ? { scope: parts.scope, now: parts.now } : {}),
  };
}
