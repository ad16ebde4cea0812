// status_board.json: a view of the lock files, agents, inboxes and the journals, built fresh from
// them and written atomically (temp + rename), so a reader always sees a whole, valid file.

import type { BoardRecord, ConflictRecord, HistoryEntry, LockRecord } from '../records.js';
import { assembleBoard, BOARD_CONFLICTS, BOARD_HISTORY } from '../rules/board.js';
import { readAgents } from './agents.js';
import { replaceFile } from './atomic-file.js';
import { pendingCounts } from './inbox.js';
import { readTail } from './journal.js';
import type { Layout } from './layout.js';

export function buildBoard(layout: Layout, locks: LockRecord[], nowIso: string): BoardRecord {
  return assembleBoard({
    now: nowIso,
    locks,
    agents: readAgents(layout),
    pendingMessages: pendingCounts(layout),
    history: readTail<HistoryEntry>(layout.history, BOARD_HISTORY),
    conflicts: readTail<ConflictRecord>(layout.conflicts, BOARD_CONFLICTS),
  });
}

/** Write the board; with `onlyIf`, only if it still says yes just before the file is replaced. */
export function writeBoard(layout: Layout, board: BoardRecord, onlyIf?: () => boolean): boolean {
  return replaceFile(layout.board, JSON.stringify(board, null, 2) + '\n', { step: 'board', onlyIf });
}
