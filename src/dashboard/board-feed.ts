// The live feed behind /api/events: while anyone listens, the board is read every FEED_TICK_MS and
// sent to each listener only when its content changed, so any number of changes within one tick
// reach a page as one `board` event (50 agents changing state at once are not 50 events). Beside
// the board, `details`: what the board does not hold (agents' last output lines and token use from
// their logs, the lock history since the dashboard started, whether a run is attached).

import { boardContentKey, type BoardRecord, type HistoryEntry } from '../core/records.js';
import type { AgentLogs, AgentOutputView } from './agent-logs.js';

/** How often the board is read while a page listens: a change is on the page well within 1 s. */
export const FEED_TICK_MS = 250;
/** History kept for the timeline (the board holds only its last 200 entries). */
const TIMELINE_LIMIT = 5_000;

export interface Details {
  /** Agents of the attached run (stop and restart work on these), or null without a run. */
  run: { agents: string[] } | null;
  output: Record<string, AgentOutputView>;
  /** Every history entry seen since the dashboard started (and the board's own, older ones). */
  timeline: HistoryEntry[];
}

export interface FeedListener {
  /** Keys of what this listener was sent last. */
  sent: { board?: string; details?: string };
  send(event: 'board' | 'details', json: string, key: string): void;
}

export interface FeedSnapshot {
  board: BoardRecord;
  details: Details;
  boardKey: string;
  detailsKey: string;
}

export class BoardFeed {
  private readonly listeners = new Set<FeedListener>();
  private readonly history = new Map<string, HistoryEntry>();
  private timer: NodeJS.Timeout | undefined;
  private latest: FeedSnapshot | null = null;
  private reading: Promise<FeedSnapshot> | null = null;
  private closed = false;

  constructor(
    private readonly readBoard: () => Promise<BoardRecord>,
    private readonly logs: AgentLogs | null,
    private readonly run: () => Details['run'],
    private readonly onError: (error: unknown) => void,
    private readonly tickMs = FEED_TICK_MS,
  ) {}

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** A fresh read (shared with one already under way), sent to every listener it is news to. */
  async snapshot(): Promise<FeedSnapshot> {
    this.reading ??= this.read().finally(() => (this.reading = null));
    const snap = await this.reading;
    this.deliver(snap);
    return snap;
  }

  /** Start sending to `listener` (it is sent the current state first); returns the unsubscribe. */
  async subscribe(listener: FeedListener): Promise<() => void> {
    this.listeners.add(listener);
    const snap = await this.snapshot();
    this.deliverTo(listener, snap);
    this.schedule();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Read now (after an action): the page sees its effect without waiting for the tick. */
  poke(): void {
    if (this.listeners.size > 0) void this.snapshot().catch(this.onError);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.listeners.size === 0 || this.closed) return;
      this.snapshot()
        .catch(this.onError)
        .finally(() => this.schedule());
    }, this.tickMs);
    this.timer.unref();
  }

  private async read(): Promise<FeedSnapshot> {
    const board = await this.readBoard();
    for (const entry of board.history ?? []) this.remember(entry);
    const details: Details = {
      run: this.run(),
      output: this.logs ? this.logs.read(Object.keys(board.agents ?? {})) : {},
      timeline: [...this.history.values()],
    };
    const snap = { board, details, boardKey: boardContentKey(board), detailsKey: JSON.stringify(details) };
    this.latest = snap;
    return snap;
  }

  private remember(entry: HistoryEntry): void {
    const key = `${entry.at}|${entry.agent_id}|${entry.file_path}|${entry.event}|${entry.token ?? ''}`;
    if (this.history.has(key)) return;
    this.history.set(key, entry);
    if (this.history.size > TIMELINE_LIMIT) this.history.delete(this.history.keys().next().value!);
  }

  private deliver(snap: FeedSnapshot): void {
    // Only the newest read goes out: a slower, older read finishing later must not undo it.
    if (snap !== this.latest) return;
    for (const listener of this.listeners) this.deliverTo(listener, snap);
  }

  private deliverTo(listener: FeedListener, snap: FeedSnapshot): void {
    if (listener.sent.board !== snap.boardKey) listener.send('board', JSON.stringify(snap.board), snap.boardKey);
    if (listener.sent.details !== snap.detailsKey) listener.send('details', JSON.stringify(snap.details), snap.detailsKey);
  }
}

