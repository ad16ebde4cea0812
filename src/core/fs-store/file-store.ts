// The file store: the Store interface on a coordination dir (layout in docs/file-store.md). Every
// mutation runs in one short synchronous critical section (mutex.ts, section.ts); reads that need
// no consistency across files (check, listLocks, board, peek) take no mutex.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, relative, resolve, sep } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { AgentvisorError } from '../errors.js';
import { fault } from '../faults.js';
import { validateAgentId } from '../ids.js';
import { systemLiveness, type Liveness } from '../liveness.js';
import type { AgentEntry, BoardRecord, ConflictRecord, HistoryEntry, LockRecord, MessageRecord } from '../records.js';
import type {
  AcquireRequest,
  AcquireResult,
  ClaimOptions,
  InboxClaim,
  InboxEntry,
  PathRequest,
  ProcessIdentity,
  ReadOptions,
  ReleaseOptions,
  ReleaseResult,
  RenewResult,
  SendRequest,
  Store,
} from '../store.js';
import { agentIds, blankEntry, readAgent, writeAgent } from './agents.js';
import { removeFile, removeQuietly, replaceFile, step, storeIoError } from './atomic-file.js';
import { buildBoard, writeBoard } from './board.js';
import { ChangeSignal } from './change-signal.js';
import { holderConflicts, patternOf, waiterConflicts } from './conflicts.js';
import { readCounters, writeCounters } from './counters.js';
import { grant, logConflicts, LOCK_STEP, watchdogFields, type Granted } from './grant.js';
import { forget } from './handles.js';
import {
  abandonedClaims,
  claim,
  consume,
  deliverEnd,
  deliverMessage,
  inboxIds,
  listInbox,
  peek,
  returnClaims,
  settleClaims,
  type ClaimedFile,
  type Claimer,
} from './inbox.js';
import { appendLines } from './journal.js';
import { Layout } from './layout.js';
import { machineFacts, readLiveLocks } from './live-locks.js';
import { remember, serialiseLock, type StoredLock } from './lock-files.js';
import { DirMutex } from './mutex.js';
import { DEFAULT_QUEUE_LEASE_MS, queueRefreshMs, readQueue, removeEntry, waiterGone, writeEntry, type QueueEntry } from './queue.js';
import { Section, type StoreContext } from './section.js';

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
/** Builds of the exit-time board, each one only when a mutation slipped in during the last rename. */
const UNLOCKED_BOARD_ATTEMPTS = 5;
/** A section takes milliseconds: waiting this long for one means its holder is stopped or stuck. */
const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
/** A board behind for longer than this was left behind by a process that died: any section fixes it. */
const BOARD_ORPHANED_MS = 1000;
const WAIT_BACKOFF_START_MS = 20;
const WAIT_BACKOFF_MAX_MS = 1000;
const DEFAULT_WAIT_REPORT_MS = 10_000;
const MESSAGE_TYPES = new Set(['note', 'handoff', 'status']);

type StepOutcome =
  | { kind: 'granted'; granted: Granted }
  | { kind: 'refused'; conflicts: ConflictRecord[] }
  | { kind: 'waiting'; ticket: number; conflicts: ConflictRecord[] };

/** Stores with a board write pending, flushed when the process ends. */
const pendingBoards = new Set<FileStore>();
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('beforeExit', () => {
    for (const store of pendingBoards) void store.flushBoard().catch(() => undefined);
  });
  process.on('exit', () => {
    for (const store of pendingBoards) store.flushBoardUnlocked();
  });
}

function busyTimeoutFromEnv(): number {
  const value = Number(process.env.AGENTVISOR_STORE_BUSY_MS);
  return Number.isFinite(value) && value >= 0 && process.env.AGENTVISOR_STORE_BUSY_MS !== '' ? value : DEFAULT_BUSY_TIMEOUT_MS;
}

function badInput(message: string, facts: Record<string, unknown> = {}): never {
  throw new AgentvisorError('INVALID_ARGUMENT', message, facts);
}

/** Every path must parse (INVALID_GLOB otherwise) before anything is written or compared. */
function checkPaths(paths: PathRequest[]): void {
  if (!Array.isArray(paths) || paths.length === 0) badInput('no lock paths given');
  for (const p of paths) {
    if (typeof p?.path !== 'string' || p.path === '') badInput('a lock path is empty', { path: p?.path });
    if (p.mode !== 'exclusive' && p.mode !== 'shared') badInput(`lock mode must be "exclusive" or "shared", not ${JSON.stringify(p.mode)}`);
    patternOf(p.path);
  }
}

export class FileStore implements Store {
  readonly dir: string;
  private readonly ctx: StoreContext;
  private readonly mutex: DirMutex;
  private readonly boardLagMs: number;
  private readonly busyTimeoutMs: number;
  private readonly queueLeaseMs: number;
  private boardTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Inbox claims of this process not settled yet (by their names in claimed/). */
  private readonly inFlight = new Set<string>();

  constructor(options: FileStoreOptions) {
    this.dir = options.dir;
    const liveness = selfAware(options.liveness ?? systemLiveness);
    this.ctx = { layout: new Layout(options.dir), clock: options.clock ?? systemClock, liveness, facts: machineFacts(liveness) };
    this.mutex = new DirMutex(options.dir);
    this.boardLagMs = options.boardLagMs ?? DEFAULT_BOARD_LAG_MS;
    this.busyTimeoutMs = options.busyTimeoutMs ?? busyTimeoutFromEnv();
    this.queueLeaseMs = options.queueLeaseMs ?? DEFAULT_QUEUE_LEASE_MS;
  }

  private get layout(): Layout {
    return this.ctx.layout;
  }

  // ---------------------------------------------------------------- the critical section

  /**
   * Run `body` inside the mutex. Without `create`, a missing dir gives `absent` and writes nothing.
   * `waitMs`: how long to wait for the mutex before STORE_BUSY (default: the busy timeout).
   */
  private async section<T, A>(body: (s: Section) => T, options: { create: boolean; absent: A; waitMs?: number }): Promise<T | A> {
    if (this.closed) throw new AgentvisorError('STORE_IO', `the store for ${this.dir} is closed`, { dir: this.dir });
    // One stat both tells whether the dir exists and names the mutex.
    let identity = statSync(this.dir, { throwIfNoEntry: false });
    if (!identity) {
      if (!options.create) return options.absent;
      try {
        mkdirSync(this.dir, { recursive: true });
      } catch (error) {
        throw storeIoError('mkdir', error, this.dir);
      }
      identity = undefined;
    }
    return this.mutex.run(() => {
      const s = Section.enter(this.ctx);
      try {
        return body(s);
      } finally {
        this.finish(s);
      }
    }, identity, options.waitMs ?? this.busyTimeoutMs);
  }

  /** After the mutation: write the counters, and see that the board follows. */
  private finish(s: Section): void {
    try {
      if (s.needsPersist) s.persist();
    } catch {
      // The counters are recovered from the files themselves; the mutation stands.
    }
    const orphaned = s.counters.board_generation < s.counters.generation && s.now.mono - s.counters.board_mono > BOARD_ORPHANED_MS;
    const written = orphaned && this.writeBoardInside(s);
    if (!written && s.changed) this.scheduleBoard();
  }

  // ---------------------------------------------------------------- locks

  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    validateAgentId(request.agentId);
    checkPaths(request.paths);
    step('acquire.before-mutex', this.dir, () => undefined);
    const started = this.ctx.clock.mono();
    const deadline = request.timeoutMs != null ? started + request.timeoutMs : Number.POSITIVE_INFINITY;
    const reportEvery = request.waitReportMs ?? DEFAULT_WAIT_REPORT_MS;
    let ticket: number | null = null;
    let signal: ChangeSignal | null = null;
    let lastReport = Number.NEGATIVE_INFINITY;
    let backoff = WAIT_BACKOFF_START_MS;
    try {
      for (;;) {
        const aborted = request.signal?.aborted === true;
        const timedOut = this.ctx.clock.mono() >= deadline;
        const leaving = aborted ? 'aborted' : timedOut ? 'timeout' : null;
        const outcome = await this.section((s) => this.acquireStep(s, request, ticket, leaving !== null), {
          create: true,
          absent: null,
          waitMs: this.mutexWaitFor(request, deadline),
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
        signal ??= new ChangeSignal([this.dir, this.layout.queueDir]);
        const untilReport = request.onWait ? lastReport + reportEvery - now : Number.POSITIVE_INFINITY;
        // Back in time to refresh our entry: a waiter that does not, loses its place.
        await signal.wait(Math.min(backoff, deadline - now, untilReport, queueRefreshMs(this.queueLeaseMs)), request.signal);
        backoff = Math.min(backoff * 2, WAIT_BACKOFF_MAX_MS);
      }
    } finally {
      signal?.close();
      if (ticket !== null) await this.leaveQueue(ticket);
    }
  }

  /**
   * How long one attempt of `request` may wait for the mutex: a request that will not wait in line
   * will not wait long for a stopped holder either; one that waits, up to its own deadline (never
   * less than the busy timeout, so ordinary contention at its last moment is no failure).
   */
  private mutexWaitFor(request: AcquireRequest, deadline: number): number {
    if (!request.wait) return this.busyTimeoutMs;
    return Math.max(this.busyTimeoutMs, deadline - this.ctx.clock.mono());
  }

  /**
   * Drop our place in line after a failure (best effort, one try: after STORE_BUSY, waiting again
   * would only double the wait; an entry left behind is dropped once its lease runs out).
   */
  private async leaveQueue(ticket: number): Promise<void> {
    try {
      await this.section((s) => {
        removeEntry(s.layout, ticket);
        s.mutated();
      }, { create: false, absent: undefined, waitMs: 0 });
    } catch {
      // the entry goes stale and is dropped by the next section
    }
  }

  /** Waiters in line now, dropping dead ones and files that do not parse. */
  private liveQueue(s: Section): QueueEntry[] {
    if (!s.hasQueue) return [];
    const { entries, garbage } = readQueue(s.layout);
    const live: QueueEntry[] = [];
    for (const entry of entries) {
      if (waiterGone(entry, s.now, this.ctx.facts)) {
        removeEntry(s.layout, entry.ticket);
        s.mutated();
      } else live.push(entry);
    }
    // A waiter's entry is written by rename, so one that does not parse was not written by us.
    for (const path of garbage) removeQuietly(path);
    return live;
  }

  private acquireStep(s: Section, request: AcquireRequest, given: number | null, leaving: boolean): StepOutcome {
    step('acquire.in-mutex', this.dir, () => undefined);
    const held = s.live.map((l) => l.record);
    const queue = this.liveQueue(s);
    // Our entry gone means our lease ran out (we were stopped, or blocked): the place is lost, and
    // everyone now in line is ahead of us.
    const ticket = given !== null && queue.some((e) => e.ticket === given) ? given : null;
    const ahead = queue.filter((e) => e.ticket !== ticket && (ticket === null || e.ticket < ticket));
    const conflicts = [
      ...holderConflicts(request.agentId, request.paths, held),
      ...waiterConflicts(request.agentId, request.paths, ahead),
    ];
    const mine = ticket === null ? undefined : queue.find((e) => e.ticket === ticket);
    if (conflicts.length === 0) {
      const granted = grant(s, request);
      if (ticket !== null) removeEntry(s.layout, ticket);
      return { kind: 'granted', granted };
    }
    if (leaving) {
      if (ticket !== null) {
        removeEntry(s.layout, ticket);
        s.mutated();
      }
      return { kind: 'refused', conflicts };
    }
    if (!request.wait) {
      logConflicts(s, request, conflicts);
      s.mutated();
      return { kind: 'refused', conflicts };
    }
    if (ticket === null) {
      const fresh = s.nextTicket();
      // The ticket is on disk before the entry that carries it: no two waiters share one.
      s.persist();
      writeEntry(s.layout, this.queueEntry(s, request, fresh, s.nowIso));
      logConflicts(s, request, conflicts);
      s.mutated();
      return { kind: 'waiting', ticket: fresh, conflicts };
    }
    if (!mine || s.now.mono - mine.heartbeat_mono > queueRefreshMs(this.queueLeaseMs)) {
      writeEntry(s.layout, this.queueEntry(s, request, ticket, mine?.since ?? s.nowIso));
    }
    return { kind: 'waiting', ticket, conflicts };
  }

  private queueEntry(s: Section, request: AcquireRequest, ticket: number, since: string): QueueEntry {
    const { liveness } = this.ctx;
    return {
      ticket,
      agent_id: request.agentId,
      paths: request.paths.map((p) => ({ path: p.path, mode: p.mode })),
      pid: process.pid,
      pid_start: liveness.processStart(process.pid),
      host: liveness.host,
      boot_id: liveness.bootId,
      since,
      heartbeat: s.nowIso,
      heartbeat_mono: s.now.mono,
      lease_ms: this.queueLeaseMs,
    };
  }

  async release(agentId: string, paths: string[], options: ReleaseOptions = {}): Promise<ReleaseResult> {
    validateAgentId(agentId);
    const wanted = [...new Set(paths)];
    const result = await this.section(
      (s) => this.removeLocks(s, agentId, options.force === true, (lock) => wanted.includes(lock.record.file_path) && (options.pid === undefined || lock.record.pid === options.pid)),
      { create: false, absent: [] as LockRecord[] },
    );
    const releasedPaths = new Set(result.map((l) => l.file_path));
    return { released: result, notHeld: wanted.filter((p) => !releasedPaths.has(p)) };
  }

  async releaseAll(agentId: string, options: { pid?: number } = {}): Promise<LockRecord[]> {
    validateAgentId(agentId);
    return this.section(
      (s) => this.removeLocks(s, agentId, false, (lock) => options.pid === undefined || lock.record.pid === options.pid),
      { create: false, absent: [] as LockRecord[] },
    );
  }

  /** Remove the agent's locks that `select` picks (with `force`, anyone's); history for each. */
  private removeLocks(s: Section, agentId: string, force: boolean, select: (lock: StoredLock) => boolean): LockRecord[] {
    const targets = s.live.filter((lock) => (force || (lock.record.agent_id === agentId && lock.state !== 'unreadable')) && select(lock));
    const released: LockRecord[] = [];
    const entries: HistoryEntry[] = [];
    try {
      for (const lock of targets) {
        if (!removeLockFile(s, lock)) continue;
        released.push(lock.record);
        const forced = lock.record.agent_id !== agentId;
        entries.push({ at: s.nowIso, agent_id: lock.record.agent_id, file_path: lock.record.file_path, event: forced ? 'forced' : 'released', token: lock.record.token, ...(forced ? { by: agentId } : {}) });
      }
    } finally {
      if (released.length > 0) {
        s.live = s.live.filter((l) => !released.includes(l.record));
        s.mutated();
        s.history(entries);
      }
    }
    return released;
  }

  async renew(agentId: string, options: { pid: number; expected?: LockRecord[]; watchdog?: ProcessIdentity | null }): Promise<RenewResult> {
    validateAgentId(agentId);
    const outcome = await this.section((s) => {
      const renewed: LockRecord[] = [];
      for (const lock of s.live) {
        if (lock.state !== 'ok' || lock.record.agent_id !== agentId || lock.record.pid !== options.pid) continue;
        const record: LockRecord = { ...lock.record, heartbeat: s.nowIso, heartbeat_mono: s.now.mono, ...watchdogFields(options.watchdog) };
        // Only files that exist now are rewritten: a lock that is gone is never brought back.
        replaceFile(s.layout.lock(lock.name), serialiseLock(record), { step: LOCK_STEP });
        lock.record = record;
        remember(s.layout, lock);
        renewed.push(record);
      }
      if (renewed.length > 0) s.mutated();
      return { renewed, lost: lostOf(s.live, options.expected ?? []) };
    }, { create: false, absent: null });
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
      this.liveQueue(s);
      s.sweepSubfolders();
      return s.reclaimed;
    }, { create: false, absent: [] as LockRecord[] });
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
    return buildBoard(this.layout, this.readLiveLocks(), new Date(this.ctx.clock.now()).toISOString());
  }

  async flushBoard(): Promise<void> {
    this.clearBoardTimer();
    if (!pendingBoards.has(this)) return this.flushOthers();
    const wrote = await this.section((s) => {
      if (s.counters.board_generation >= s.counters.generation && !s.changed && existsSync(s.layout.board)) return true;
      return this.writeBoardInside(s);
    }, { create: false, absent: true });
    if (wrote) pendingBoards.delete(this);
    else this.scheduleBoard();
  }

  /**
   * Nothing of ours is pending: write the board only if it looks left behind (missing, or behind
   * the counters for over a second, its writer gone), and try the mutex once: whoever holds it
   * now does the same check on the way out. A stopped holder never holds up a caller that changed
   * nothing.
   */
  private async flushOthers(): Promise<void> {
    if (!existsSync(this.dir)) return;
    const counters = readCounters(this.layout.counters);
    const behind = !counters || counters.board_generation < counters.generation;
    const stale = !counters || this.ctx.clock.mono() - counters.board_mono > BOARD_ORPHANED_MS;
    if (existsSync(this.layout.board) && !(behind && stale)) return;
    await this.section((s) => this.writeBoardInside(s), { create: false, absent: true, waitMs: 0 }).catch(() => undefined);
  }

  /** Regenerate the board inside the critical section: it then shows every committed mutation. */
  private writeBoardInside(s: Section): boolean {
    try {
      if (s.needsPersist) s.persist();
      const locks = s.live.map((l) => l.record);
      writeBoard(s.layout, buildBoard(s.layout, locks, s.nowIso));
      s.counters.board_generation = s.counters.generation;
      s.counters.board_mono = s.now.mono;
      writeCounters(s.layout.counters, s.counters);
      pendingBoards.delete(this);
      this.clearBoardTimer();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The exit path, where nothing async can run: build the board without the mutex. Whoever commits
   * a mutation after ours owes a board that shows ours too (written inside the mutex, or by the
   * orphan rule), so ours is written only while no mutation came after the counters we read:
   * checked once more just before the rename (a newer board is never replaced by ours) and after
   * it (one that came in between may have been replaced: build again, now including it).
   */
  flushBoardUnlocked(): void {
    pendingBoards.delete(this);
    this.clearBoardTimer();
    if (!existsSync(this.dir)) return;
    for (let attempt = 0; attempt < UNLOCKED_BOARD_ATTEMPTS; attempt++) {
      try {
        const before = readCounters(this.layout.counters)?.generation;
        // Unreadable (being written this very moment, or gone): look again.
        if (before === undefined) continue;
        const current = () => readCounters(this.layout.counters)?.generation === before;
        const board = buildBoard(this.layout, this.readLiveLocks(), new Date(this.ctx.clock.now()).toISOString());
        if (!writeBoard(this.layout, board, current) || current()) return;
      } catch {
        return;
      }
    }
  }

  private scheduleBoard(): void {
    if (this.closed) return;
    pendingBoards.add(this);
    hookExit();
    if (this.boardTimer) return;
    this.boardTimer = setTimeout(() => {
      this.boardTimer = null;
      this.flushBoard().catch(() => undefined);
    }, this.boardLagMs);
    // Exit hooks flush what the timer would have: the timer must not keep a process alive.
    this.boardTimer.unref();
  }

  private clearBoardTimer(): void {
    if (this.boardTimer) clearTimeout(this.boardTimer);
    this.boardTimer = null;
  }

  // ---------------------------------------------------------------- messages

  async send(request: SendRequest): Promise<MessageRecord[]> {
    validateAgentId(request.from, 'sender id');
    if (request.to !== '*') validateAgentId(request.to, 'target agent id');
    if (!MESSAGE_TYPES.has(request.type)) {
      throw new AgentvisorError('INVALID_MESSAGE', `message type must be note, handoff or status, not ${JSON.stringify(request.type)}`, { type: request.type });
    }
    if (typeof request.message !== 'string') throw new AgentvisorError('INVALID_MESSAGE', 'the message must be a string', {});
    return this.section((s) => {
      const known = knownIn(s.layout);
      if (request.to !== '*' && request.requireKnownTarget && !known.includes(request.to)) {
        throw new AgentvisorError('UNKNOWN_AGENT', `unknown agent "${request.to}": not on the board and no inbox`, { agentId: request.to, known });
      }
      const targets = request.to === '*' ? known.filter((id) => id !== request.from) : [request.to];
      return targets.map((to) => {
        const record = deliverMessage(s.layout, to, () => this.reserveSeq(s), (seq) => ({
          id: `${seq}-${randomBytes(4).toString('hex')}`, from: request.from, to, type: request.type, message: request.message, timestamp: s.nowIso,
        }));
        s.mutated();
        return record;
      });
    }, { create: true, absent: [] as MessageRecord[] });
  }

  /** A message sequence number, on disk before any file carries it. */
  private reserveSeq(s: Section): number {
    const seq = s.nextMessageSeq();
    s.persist();
    return seq;
  }

  async sendEnd(to: string, from: string): Promise<void> {
    validateAgentId(to, 'target agent id');
    validateAgentId(from, 'sender id');
    await this.section((s) => {
      deliverEnd(s.layout, to, from, () => this.reserveSeq(s));
      s.mutated();
    }, { create: true, absent: undefined });
  }

  async readMessages(agentId: string, options: ReadOptions = {}): Promise<MessageRecord[]> {
    validateAgentId(agentId);
    if (options.peek) {
      // A dead claimer's claims are unread too: they go back to the inbox at the next take.
      const abandoned = abandonedClaims(this.layout, agentId, (c) => this.claimerDead(c));
      return [...listInbox(this.layout, agentId), ...abandoned]
        .sort((a, b) => a.seq - b.seq)
        .filter((f) => !f.end)
        .map((f) => peek(this.layout, agentId, f))
        .flatMap((e) => (e?.kind === 'message' ? [e.record] : []));
    }
    const entries = await this.section((s) => this.take(s, agentId, 'skip'), { create: false, absent: [] as InboxEntry[] });
    return entries.flatMap((e) => (e.kind === 'message' ? [e.record] : []));
  }

  async takeInbox(agentId: string): Promise<InboxEntry[]> {
    validateAgentId(agentId);
    return this.section((s) => this.take(s, agentId, 'stop'), { create: false, absent: [] as InboxEntry[] });
  }

  /** Consumed at once (delivered by returning them): oldest first, end markers as `ends` says. */
  private take(s: Section, agentId: string, ends: 'stop' | 'skip'): InboxEntry[] {
    this.returnClaims(s, agentId);
    const taken: InboxEntry[] = [];
    for (const file of listInbox(s.layout, agentId)) {
      if (file.end && ends === 'skip') continue;
      const entry = consume(s.layout, agentId, file);
      s.mutated();
      if (entry) taken.push(entry);
      if (file.end) break;
    }
    return taken;
  }

  async claimInbox(agentId: string, options: ClaimOptions = {}): Promise<InboxClaim> {
    validateAgentId(agentId);
    const ends = options.ends ?? 'stop';
    const claimed = await this.section((s) => this.claim(s, agentId, ends), { create: false, absent: [] as ClaimedFile[] });
    for (const c of claimed) this.inFlight.add(c.claim);
    // Claimed and not yet delivered: a crash here must lose nothing (tests kill at this point).
    fault('inbox.claimed');
    let settled = false;
    return {
      entries: claimed.map((c) => c.entry),
      settle: async (delivered) => {
        if (settled || claimed.length === 0) return;
        settled = true;
        try {
          await this.section((s) => {
            settleClaims(s.layout, agentId, claimed, Math.max(0, Math.min(delivered, claimed.length)));
            s.mutated();
          }, { create: false, absent: undefined });
        } finally {
          // Not settled (the store failed): the next take by this process returns them.
          for (const c of claimed) this.inFlight.delete(c.claim);
        }
      },
    };
  }

  private claim(s: Section, agentId: string, ends: 'stop' | 'skip'): ClaimedFile[] {
    this.returnClaims(s, agentId);
    const claimed: ClaimedFile[] = [];
    const claimer = { pid: process.pid, start: this.ctx.liveness.processStart(process.pid) ?? 0 };
    for (const file of listInbox(s.layout, agentId)) {
      if (file.end && ends === 'skip') continue;
      const taken = claim(s.layout, agentId, file, claimer);
      s.mutated();
      if (taken) claimed.push(taken);
      if (file.end) break;
    }
    return claimed;
  }

  /** Claims nobody will settle back into the inbox: a dead claimer's, and ours not in flight. */
  private returnClaims(s: Section, agentId: string): void {
    const ownStart = this.ctx.liveness.processStart(process.pid) ?? 0;
    const returned = returnClaims(s.layout, agentId, (c, name) =>
      c.pid === process.pid && c.start === ownStart ? !this.inFlight.has(name) : this.claimerDead(c),
    );
    if (returned > 0) s.mutated();
  }

  private claimerDead(claimer: Claimer): boolean {
    return this.ctx.facts.pidState(claimer.pid, claimer.start || null) === 'dead';
  }

  async watchInbox(agentId: string, onChange: () => void): Promise<() => Promise<void>> {
    validateAgentId(agentId);
    const inbox = resolve(this.layout.inbox(agentId));
    mkdirSync(inbox, { recursive: true });
    // Loaded here only: the CLI's hot paths never pay for chokidar.
    const { watch } = await import('chokidar');
    const watcher = watch(inbox, { depth: 0, ignoreInitial: true, ignored: (path: string) => consumedOrTemp(inbox, path) });
    watcher.on('add', () => onChange());
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    // Anything that arrived before the watcher was ready.
    if (listInbox(this.layout, agentId).length > 0) onChange();
    return () => watcher.close();
  }

  async knownAgents(): Promise<string[]> {
    return knownIn(this.layout);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (pendingBoards.has(this)) await this.flushBoard().catch(() => undefined);
    this.clearBoardTimer();
    pendingBoards.delete(this);
    for (const path of [this.layout.counters, this.layout.history, this.layout.conflicts]) forget(path);
    this.closed = true;
  }
}

/**
 * This process is alive and its start time never changes: asking /proc about our own pid (every
 * lock we hold is judged in every section) is answered from memory.
 */
function selfAware(liveness: Liveness): Liveness {
  let ownStart: number | null | undefined;
  const start = (): number | null => (ownStart ??= liveness.processStart(process.pid));
  return {
    get host() {
      return liveness.host;
    },
    get bootId() {
      return liveness.bootId;
    },
    processStart: (pid) => (pid === process.pid ? start() : liveness.processStart(pid)),
    pidState: (pid, pidStart) => {
      const self = pid === process.pid && start() !== null && (pidStart == null || pidStart === start());
      return self ? 'alive' : liveness.pidState(pid, pidStart);
    },
  };
}

function removeLockFile(s: Section, lock: StoredLock): boolean {
  return removeFile(s.layout.lock(lock.name), LOCK_STEP);
}

/**
 * Whether the watcher should skip `path`: the inbox's own `read/` and `claimed/` folders and what
 * is below them, and temp files. Judged relative to the inbox, so an agent named `reader`, or a coordination dir
 * under a folder named `read`, is still watched.
 */
function consumedOrTemp(inbox: string, path: string): boolean {
  const inside = relative(inbox, resolve(path));
  const first = inside.split(sep)[0] ?? '';
  return first === 'read' || first === 'claimed' || basename(path).startsWith('.tmp');
}

function knownIn(layout: Layout): string[] {
  return [...new Set([...agentIds(layout), ...inboxIds(layout)])].sort();
}

function lostOf(live: StoredLock[], expected: LockRecord[]): LockRecord[] {
  return expected.filter((e) => !live.some((l) => l.record.agent_id === e.agent_id && l.record.file_path === e.file_path && l.record.token === e.token));
}
