// status_board.json: a view of the lock files, agents, the waiting line, inboxes and the journals,
// built fresh from them and written atomically (temp + rename), so a reader always sees a whole,
// valid file. Agents whose run died under them are shown stopped (core/agent-liveness.ts).

import type { BoardRecord, ConflictRecord, HistoryEntry, LockRecord, MessageRecord } from '../records.js';
import { assembleBoard, BOARD_CONFLICTS, BOARD_HISTORY, BOARD_MESSAGES } from '../rules/board.js';
import type { Instant, MachineFacts } from '../staleness.js';
import { readAgents } from './agents.js';
import { replaceFile } from './atomic-file.js';
import { pendingCounts } from './inbox.js';
import { readTail } from './journal.js';
import type { Layout } from './layout.js';
import { readQueue, waiterGone } from './queue.js';

/** The moment a board is built for, and what judges processes on this machine. */
export interface BoardView {
  nowIso: string;
  now: Instant;
  facts: MachineFacts;
}

export function buildBoard(layout: Layout, locks: LockRecord[], view: BoardView): BoardRecord {
  return assembleBoard({
    now: view.nowIso,
    facts: view.facts,
    locks,
    agents: readAgents(layout),
    line: readQueue(layout).entries.filter((entry) => !waiterGone(entry, view.now, view.facts)),
    pendingMessages: pendingCounts(layout),
    history: readTail<HistoryEntry>(layout.history, BOARD_HISTORY),
    conflicts: readTail<ConflictRecord>(layout.conflicts, BOARD_CONFLICTS),
    messages: readTail<MessageRecord>(layout.messagesLog, BOARD_MESSAGES),
  });
}

/** Write the board; with `onlyIf`, only if it still says yes just before the file is replaced. */
export function writeBoard(layout: Layout, board: BoardRecord, onlyIf?: () => boolean): boolean {
  return replaceFile(layout.board, JSON.stringify(board, null, 2) + '\n', { step: 'board', onlyIf });
}
