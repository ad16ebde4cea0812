// status_board.json: a view of the lock files, agents, the waiting line, inboxes and the journals,
// built fresh from them and written atomically (temp + rename), so a reader always sees a whole,
// valid file. Agents whose run died under them are shown stopped (core/agent-liveness.ts).

import { settledAgents } from '../agent-liveness.js';
import type { BoardRecord, ConflictRecord, HistoryEntry, LockRecord, MessageRecord, WaiterRecord } from '../records.js';
import type { Instant, MachineFacts } from '../staleness.js';
import { readAgents } from './agents.js';
import { replaceFile } from './atomic-file.js';
import { holderConflicts, waiterConflicts, type Waiting } from './conflicts.js';
import { pendingCounts } from './inbox.js';
import { readTail } from './journal.js';
import type { Layout } from './layout.js';
import { readQueue, waiterGone } from './queue.js';

export const BOARD_HISTORY = 200;
export const BOARD_CONFLICTS = 100;
export const BOARD_MESSAGES = 50;

/** The moment a board is built for, and what judges processes on this machine. */
export interface BoardView {
  nowIso: string;
  now: Instant;
  facts: MachineFacts;
}

export function buildBoard(layout: Layout, locks: LockRecord[], view: BoardView): BoardRecord {
  const sorted = [...locks].sort((a, b) => a.token - b.token || a.file_path.localeCompare(b.file_path));
  return {
    updated_at: view.nowIso,
    now: view.nowIso,
    locks: sorted.map((l) => ({ ...l, lease_ms: l.lease_ms ?? null })),
    agents: settledAgents(readAgents(layout), view.facts, view.nowIso),
    waiters: waitersOf(layout, sorted, view),
    pending_messages: pendingCounts(layout),
    history: readTail<HistoryEntry>(layout.history, BOARD_HISTORY),
    conflicts: readTail<ConflictRecord>(layout.conflicts, BOARD_CONFLICTS),
    messages: readTail<MessageRecord>(layout.messagesLog, BOARD_MESSAGES),
  };
}

/** The live waiting line in order, each with the agents it waits behind (holders, earlier waiters). */
function waitersOf(layout: Layout, locks: LockRecord[], view: BoardView): WaiterRecord[] {
  const earlier: Waiting[] = [];
  const waiters: WaiterRecord[] = [];
  for (const entry of readQueue(layout).entries) {
    if (waiterGone(entry, view.now, view.facts)) continue;
    let blockers: string[];
    try {
      const conflicts = [...holderConflicts(entry.agent_id, entry.paths, locks), ...waiterConflicts(entry.agent_id, entry.paths, earlier)];
      blockers = [...new Set(conflicts.flatMap((c) => (c.locked_by ? [c.locked_by] : [])))];
    } catch {
      blockers = [];
    }
    waiters.push({ agent_id: entry.agent_id, paths: entry.paths.map((p) => p.path), since: entry.since, blocked_by: blockers });
    earlier.push({ agent_id: entry.agent_id, paths: entry.paths, since: entry.since });
  }
  return waiters;
}

/** Write the board; with `onlyIf`, only if it still says yes just before the file is replaced. */
export function writeBoard(layout: Layout, board: BoardRecord, onlyIf?: () => boolean): boolean {
  return replaceFile(layout.board, JSON.stringify(board, null, 2) + '\n', { step: 'board', onlyIf });
}
