// The file store: the Store interface on a coordination dir (layout in docs/file-store.md). Every
// mutation runs in one short synchronous critical section, batched with the process's other calls
// (section-runner.ts, mutex.ts, section.ts); reads that need no consistency across files (check,
// listLocks, board, peek) take no mutex.

import { settledEntry, supervisorGone } from '../agent-liveness.js';
import { systemClock, type Clock } from '../clock.js';
import { AgentvisorError } from '../errors.js';
import { isLiteral } from '../glob/index.js';
import { validateAgentId } from '../ids.js';
import { systemLiveness, type Liveness } from '../liveness.js';
import { storeLiveness } from './store-liveness.js';
import type { AgentEntry, BoardRecord, ConflictRecord, HistoryEntry, LockRecord, MessageRecord } from '../records.js';
import type {
  AcquireRequest,
  AcquireResult,
  ClaimOptions,
  InboxClaim,
  InboxEntry,
  PathRequest,
  ReadOptions,
  RenewOptions,
  ReleaseOptions,
  ReleaseResult,
  RenewResult,
  SendRequest,
  Store,
} from '../store.js';
import { acquireStep, checkPaths, leaveQueueInside, liveQueue, mutexWaitFor, type QueueSettings } from './acquisition.js';
import { agentIds, blankEntry, readAgent, writeAgent } from './agents.js';
import { step } from './atomic-file.js';
import { buildBoard } from './board.js';
import { BoardWriter } from './board-writer.js';
import { holderConflicts, warmOverlaps } from '../rules/conflicts.js';
import { forget } from './handles.js';
import type { ClaimedFile } from './inbox.js';
import { appendLines } from './journal.js';
import { Layout } from './layout.js';
import { instant, machineFacts, readLiveLocks } from './live-locks.js';
import { releasable, removeLocks, removeNotFiles, renewInside } from './lock-updates.js';
import { checkSend, claimInside, handOut, knownIn, peekMessages, sendEndInside, sendInside, take, watchInbox, type Mailroom } from './messaging.js';
import { DEFAULT_QUEUE_LEASE_MS, DEFAULT_WAIT_REPORT_MS } from '../rules/acquire.js';
import type { Section, StoreContext } from './section.js';
import { SectionRunner, type SectionOptions } from './section-runner.js';
import { Waiting } from './waiting.js';

export interface FileStoreOptions {
  dir: string;
  clock?: Clock;
  liveness?: Liveness;
  /** How soon after a mutation this process rewrites status_board.json (the contract allows 1 s). */
  boardLagMs?: number;
  /**
   * How long a call waits for the critical section before it fails with STORE_BUSY (a waiting
   * acquire: at least this, else its own timeout). Default: AGENTVISOR_STORE_BUSY_MS, else 5 s.
   */
  busyTimeoutMs?: number;
  /**
   * A waiter in line refreshes its entry four times per lease; one not refreshed within it
   * (stopped, or its loop blocked) loses its place to those behind it. Default 10 s.
   */
  queueLeaseMs?: number;
}

const DEFAULT_BOARD_LAG_MS = 250;
/** A section takes milliseconds: waiting this long for one means its holder is stopped or stuck. */
const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

function busyTimeoutFromEnv(): number {
  const value = Number(process.env.AGENTVISOR_STORE_BUSY_MS);
  return Number.isFinite(value) && value >= 0 && process.env.AGENTVISOR_STORE_BUSY_MS !== '' ? value : DEFAULT_BUSY_TIMEOUT_MS;
}

export class FileStore implements Store {
  readonly dir: string;
  private readonly ctx: StoreContext;
  private readonly sections: SectionRunner;
  private readonly queue: QueueSettings;
  private readonly boards: BoardWriter;
  private readonly mail: Mailroom;
  private closed = false;

  constructor(options: FileStoreOptions) {
    this.dir = options.dir;
    const liveness = storeLiveness(options.liveness ?? systemLiveness, () => this.sections.warm);
    this.ctx = { layout: new Layout(options.dir), clock: options.clock ?? systemClock, liveness, facts: machineFacts(liveness) };
    this.queue = {
      ctx: this.ctx,
      busyTimeoutMs: options.busyTimeoutMs ?? busyTimeoutFromEnv(),
      queueLeaseMs: options.queueLeaseMs ?? DEFAULT_QUEUE_LEASE_MS,
    };
    this.sections = new SectionRunner(options.dir, this.ctx, this.queue.busyTimeoutMs, (s) => this.boards.afterSection(s));
    this.boards = new BoardWriter(this.ctx, options.boardLagMs ?? DEFAULT_BOARD_LAG_MS, this.section.bind(this));
    this.mail = { ctx: this.ctx, inFlight: new Set() };
  }

  private get layout(): Layout {
    return this.ctx.layout;
  }

  // ---------------------------------------------------------------- the critical section

  /** Run `body` inside the mutex (section-runner.ts: batched with this process's other calls). */
  private section<T, A>(body: (s: Section) => T, options: SectionOptions<A>): Promise<T | A> {
    return this.sections.run(body, options);
  }

  // ---------------------------------------------------------------- locks

  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    validateAgentId(request.agentId);
    checkPaths(request.paths);
    // Globs are compared with what is held before the critical section, so that inside it the
    // (bounded) overlap searches are already answered.
    if (request.paths.some((p) => !isLiteral(p.path))) warmOverlaps(request.paths, this.readLiveLocks());
    step('acquire.before-mutex', this.dir, () => undefined);
    const started = this.ctx.clock.mono();
    const deadline = request.timeoutMs != null ? started + request.timeoutMs : Number.POSITIVE_INFINITY;
    const reportEvery = request.waitReportMs ?? DEFAULT_WAIT_REPORT_MS;
    let ticket: number | null = null;
    let lastReport = Number.NEGATIVE_INFINITY;
    const waiting = new Waiting(this.queue, request);
    try {
      for (;;) {
        const aborted = request.signal?.aborted === true;
        const timedOut = this.ctx.clock.mono() >= deadline;
        const leaving = aborted ? 'aborted' : timedOut ? 'timeout' : null;
        const outcome = await this.section((s) => acquireStep(s, this.queue, request, ticket, leaving !== null), {
          create: true,
          absent: null,
          waitMs: mutexWaitFor(this.queue, request, deadline),
          patient: request.wait === true && leaving === null,
        });
        if (!outcome) throw new AgentvisorError('STORE_IO', `coordination dir ${this.dir} vanished`, { dir: this.dir });
        if (outcome.kind === 'granted') {
          ticket = null;
          return { granted: true, locks: outcome.granted.locks, token: outcome.granted.token };
        }
        if (outcome.kind === 'refused') {
          ticket = null;
          return { granted: false, reason: leaving ?? 'conflict', conflicts: outcome.conflicts };
        }
        ticket = outcome.ticket;
        const now = this.ctx.clock.mono();
        if (request.onWait && now - lastReport >= reportEvery) {
          lastReport = now;
          request.onWait({ conflicts: outcome.conflicts, waitedMs: Math.round(now - started) });
        }
        waiting.attempted(ticket, outcome.conflicts);
        // Back in time to refresh our entry (a waiter that does not, loses its place), else only
        // when the files say the next attempt could be granted (waiting.ts).
        await waiting.untilWorthAttempt({ deadline, reportAt: request.onWait ? lastReport + reportEvery : Number.POSITIVE_INFINITY });
      }
    } finally {
      waiting.close();
      if (ticket !== null) await this.leaveQueue(ticket);
    }
  }

  /**
   * Drop our place in line after a failure (best effort, one try: after STORE_BUSY, waiting again
   * would only double the wait; an entry left behind is dropped once its lease runs out).
   */
  private async leaveQueue(ticket: number): Promise<void> {
    try {
      await this.section((s) => leaveQueueInside(s, ticket), { create: false, absent: undefined, waitMs: 0 });
    } catch {
      // the entry goes stale and is dropped by the next section
    }
  }

  async release(agentId: string, paths: string[], options: ReleaseOptions = {}): Promise<ReleaseResult> {
    validateAgentId(agentId);
    const wanted = [...new Set(paths)];
    const result = await this.section(
      (s) => removeLocks(
        s,
        agentId,
        options.force === true,
        (lock) => wanted.includes(lock.record.file_path) && (options.holder === undefined || lock.record.agent_id === options.holder),
        (lock) => releasable(lock, agentId, options.pid, false),
      ),
      { create: false, absent: [] as LockRecord[] },
    );
    const releasedPaths = new Set(result.map((l) => l.file_path));
    return { released: result, notHeld: wanted.filter((p) => !releasedPaths.has(p)) };
  }

  async releaseAll(agentId: string, options: { pid?: number } = {}): Promise<LockRecord[]> {
    validateAgentId(agentId);
    return this.section(
      (s) => removeLocks(s, agentId, false, () => true, (lock) => releasable(lock, agentId, options.pid, true)),
      { create: false, absent: [] as LockRecord[] },
    );
  }

  async renew(agentId: string, options: RenewOptions): Promise<RenewResult> {
    validateAgentId(agentId);
    const waitMs = options.waitMs ?? this.queue.busyTimeoutMs;
    // A renewal on its deadline waits only its budget, and never looks through /proc for the holder.
    const outcome = await this.section((s) => renewInside(s, agentId, options), { create: false, absent: null, waitMs, quiet: options.waitMs !== undefined });
    return outcome ?? { renewed: [], lost: [...(options.expected ?? [])] };
  }

  async check(agentId: string, paths: PathRequest[]): Promise<ConflictRecord[]> {
    validateAgentId(agentId);
    checkPaths(paths);
    return holderConflicts(agentId, paths, this.readLiveLocks());
  }

  async listLocks(): Promise<LockRecord[]> {
    return this.readLiveLocks();
  }

  async cleanupStale(): Promise<LockRecord[]> {
    return this.section((s) => {
      liveQueue(s, this.queue);
      s.sweepSubfolders();
      return [...s.reclaimed, ...removeNotFiles(s)];
    }, { create: false, absent: [] as LockRecord[] });
  }

  async cleanupAgents(options: { exiting?: number } = {}): Promise<string[]> {
    const { facts } = this.ctx;
    const judged = options.exiting === undefined ? facts : { ...facts, pidState: (pid: number, start: number | null | undefined) => (pid === options.exiting ? 'dead' as const : facts.pidState(pid, start)) };
    return this.section((s) => {
      const settled: string[] = [];
      for (const id of agentIds(s.layout)) {
        const entry = readAgent(s.layout, id);
        if (!entry || !supervisorGone(entry, judged)) continue;
        writeAgent(s.layout, id, settledEntry(entry, judged, s.nowIso));
        settled.push(id);
      }
      if (settled.length > 0) s.mutated();
      return settled;
    }, { create: false, absent: [] as string[] });
  }

  /** Live locks without the mutex (live-locks.ts: the guard reads them the same way). */
  private readLiveLocks(): LockRecord[] {
    return readLiveLocks(this.layout, this.ctx.clock, this.ctx.facts);
  }

  // ---------------------------------------------------------------- agents, journals, board

  async updateAgent(agentId: string, patch: Partial<AgentEntry>): Promise<void> {
    validateAgentId(agentId);
    await this.section((s) => {
      // A field passed as undefined means "leave it", not "erase it".
      const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const entry = { ...blankEntry(), ...readAgent(s.layout, agentId), ...given };
      writeAgent(s.layout, agentId, entry);
      s.mutated();
    }, { create: true, absent: undefined });
  }

  async appendHistory(entries: HistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.section((s) => {
      s.history(entries);
      s.mutated();
    }, { create: true, absent: undefined });
  }

  async appendConflicts(conflicts: ConflictRecord[]): Promise<void> {
    if (conflicts.length === 0) return;
    await this.section((s) => {
      appendLines(s.layout.conflicts, conflicts, 'conflicts');
      s.mutated();
    }, { create: true, absent: undefined });
  }

  async board(): Promise<BoardRecord> {
    const now = instant(this.ctx.clock);
    return buildBoard(this.layout, this.readLiveLocks(), { nowIso: new Date(now.wall).toISOString(), now, facts: this.ctx.facts });
  }

  async flushBoard(): Promise<void> {
    return this.boards.flush();
  }

  /** The board at process exit, without the mutex (board-writer.ts). */
  flushBoardUnlocked(): void {
    this.boards.flushUnlocked();
  }

  // ---------------------------------------------------------------- messages

  async send(request: SendRequest): Promise<MessageRecord[]> {
    checkSend(request);
    return this.section((s) => sendInside(s, request), { create: true, absent: [] as MessageRecord[] });
  }

  async sendEnd(to: string, from: string): Promise<void> {
    validateAgentId(to, 'target agent id');
    validateAgentId(from, 'sender id');
    await this.section((s) => sendEndInside(s, to, from), { create: true, absent: undefined });
  }

  async readMessages(agentId: string, options: ReadOptions = {}): Promise<MessageRecord[]> {
    validateAgentId(agentId);
    if (options.peek) return peekMessages(this.mail, agentId);
    const entries = await this.section((s) => take(s, this.mail, agentId, 'skip'), { create: false, absent: [] as InboxEntry[] });
    return entries.flatMap((e) => (e.kind === 'message' ? [e.record] : []));
  }

  async takeInbox(agentId: string): Promise<InboxEntry[]> {
    validateAgentId(agentId);
    return this.section((s) => take(s, this.mail, agentId, 'stop'), { create: false, absent: [] as InboxEntry[] });
  }

  async claimInbox(agentId: string, options: ClaimOptions = {}): Promise<InboxClaim> {
    validateAgentId(agentId);
    const ends = options.ends ?? 'stop';
    const claimed = await this.section((s) => claimInside(s, this.mail, agentId, ends), { create: false, absent: [] as ClaimedFile[] });
    return handOut(this.mail, agentId, claimed, (body) => this.section(body, { create: false, absent: undefined }));
  }

  async watchInbox(agentId: string, onChange: () => void): Promise<() => Promise<void>> {
    validateAgentId(agentId);
    return watchInbox(this.layout, agentId, onChange);
  }

  async knownAgents(): Promise<string[]> {
    return knownIn(this.layout);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.boards.close();
    for (const path of [this.layout.counters, this.layout.history, this.layout.conflicts]) forget(path);
    this.sections.close();
    this.closed = true;
  }
}
