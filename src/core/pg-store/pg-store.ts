// The PostgreSQL store: the Store interface on one database shared by many hosts (docs/pg-store.md).
// Acquisitions run in the scope's section (section.ts); release and renewal are one statement
// each; calls made together share one transaction (group-commit.ts, batch.ts); reads are one
// query; waiters and inbox watchers wake on LISTEN/NOTIFY and poll as a fallback.

import { createHash } from 'node:crypto';
import { AgentvisorError } from '../errors.js';
import { fault } from '../faults.js';
import { validateAgentId } from '../ids.js';
import { systemLiveness, type Liveness } from '../liveness.js';
import type { AgentEntry, BoardRecord, ConflictRecord, HistoryEntry, LockRecord, MessageRecord } from '../records.js';
import { checkPaths, mayRelease } from '../rules/acquire.js';
import { holderConflicts } from '../rules/conflicts.js';
import type {
  AcquireRequest,
  AcquireResult,
  ClaimOptions,
  InboxClaim,
  InboxEntry,
  PathRequest,
  ReadOptions,
  ReleaseOptions,
  ReleaseResult,
  RenewOptions,
  RenewResult,
  SendRequest,
  Store,
} from '../store.js';
import { PgConnection, type Session } from './connection.js';
import { readBoard } from './board.js';
import { Listener } from './listener.js';
import { logConflicts, planAttempt, planRelease, planRemove, planRenew, readLive, type Attempt } from './locks.js';
import * as mail from './mail.js';
import { SCHEMA, ensureSchema } from './schema.js';
import type { PgContext, PgSection } from './section.js';
import { runPgBatch, type PgJob, type Reader } from './batch.js';
import { GroupCommit } from '../group-commit.js';
import { blankEntry } from '../fs-store/agents.js';
import { checkSend } from '../rules/messages.js';
import { DEFAULT_QUEUE_LEASE_MS, DEFAULT_WAIT_REPORT_MS, queueRefreshMs } from '../rules/acquire.js';

export interface PgStoreOptions {
  url: string;
  /** The project these locks, agents and messages belong to. */
  scope: string;
  liveness?: Liveness;
  /** Deadline of one database call; a connection that does not answer within it is dropped. */
  callTimeoutMs?: number;
  /** A waiter that does not refresh its place within this loses it (default 10 s). */
  queueLeaseMs?: number;
}

const DEFAULT_CALL_TIMEOUT_MS = 5_000;
const POLL_START_MS = 20;
/** The fallback poll: a missed notification delays nothing by more than this. */
const POLL_MAX_MS = 1_000;
/** How long a settle keeps trying through a database that is away. */
const SETTLE_PATIENCE_MS = 30_000;

function callTimeoutFromEnv(): number {
  const value = Number(process.env.AGENTVISOR_PG_CALL_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_CALL_TIMEOUT_MS;
}

export class PgStore implements Store {
  readonly scope: string;
  private readonly conn: PgConnection;
  private readonly ctx: PgContext;
  private readonly queueLeaseMs: number;
  private readonly listener: Listener;
  private readonly inFlight: mail.InFlight = new Set();
  private readonly batches = new GroupCommit<PgJob>((jobs) => runPgBatch((what, body, retry, timeoutMs) => this.call(what, body, retry, timeoutMs), this.ctx, jobs));
  private schemaReady = false;

  constructor(options: PgStoreOptions) {
    if (typeof options.scope !== 'string' || options.scope === '') throw new AgentvisorError('INVALID_ARGUMENT', 'the PostgreSQL store needs a scope');
    this.scope = options.scope;
    const callTimeoutMs = options.callTimeoutMs ?? callTimeoutFromEnv();
    this.conn = new PgConnection({ url: options.url, callTimeoutMs });
    const liveness = options.liveness ?? systemLiveness;
    this.ctx = {
      scope: options.scope,
      scopeKey: createHash('sha256').update(options.scope).digest('hex').slice(0, 16),
      liveness,
      facts: { host: liveness.host, bootId: liveness.bootId, pidState: (pid, start) => liveness.pidState(pid, start) },
    };
    this.queueLeaseMs = options.queueLeaseMs ?? DEFAULT_QUEUE_LEASE_MS;
    this.listener = new Listener(options.url, callTimeoutMs);
  }

  /** The URL as it may be shown (no password). */
  get shownUrl(): string {
    return this.conn.shownUrl;
  }

  /** Run `body` on the connection, the schema made current first (once per store). */
  private call<T>(what: string, body: (session: Session) => Promise<T>, retry = false, timeoutMs?: number): Promise<T> {
    return this.conn.run(async (session) => {
      if (!this.schemaReady) {
        await ensureSchema(session);
        this.schemaReady = true;
      }
      return body(session);
    }, { retry, what, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  }

  /**
   * Plan a call's statements in the next transaction of this store (calls made together share one:
   * batch.ts). `view`: what of the scope it must see (anything but `none` takes the scope's lock).
   */
  private inBatch<T>(what: string, plan: (s: PgSection) => Reader<T>, options: { view: PgJob['view']; retry?: boolean; waitMs?: number }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.batches.submit({
        what,
        plan,
        view: options.view,
        retry: options.retry === true,
        urgent: options.waitMs !== undefined,
        submittedAt: performance.now(),
        waitMs: options.waitMs ?? Number.POSITIVE_INFINITY,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
    });
  }

  // ---------------------------------------------------------------- locks

  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    validateAgentId(request.agentId);
    checkPaths(request.paths);
    const started = performance.now();
    const deadline = request.timeoutMs != null ? started + request.timeoutMs : Number.POSITIVE_INFINITY;
    const reportEvery = request.waitReportMs ?? DEFAULT_WAIT_REPORT_MS;
    let ticket: number | null = null;
    let lastReport = Number.NEGATIVE_INFINITY;
    let poll = POLL_START_MS;
    // A notification during an attempt means: try again at once.
    const wakeup: { woken: boolean; wake: (() => void) | null } = { woken: false, wake: null };
    const unsubscribe = request.wait ? this.listener.subscribe(`${this.ctx.scopeKey}:locks`, () => {
      wakeup.woken = true;
      wakeup.wake?.();
    }) : null;
    try {
      for (;;) {
        const leaving = request.signal?.aborted ? 'aborted' : performance.now() >= deadline ? 'timeout' : null;
        wakeup.woken = false;
        let outcome: Attempt;
        try {
          outcome = await this.inBatch('acquire', (s) => planAttempt(s, request, ticket, leaving !== null, this.queueLeaseMs), { view: 'line', retry: true });
        } catch (error) {
          // A waiting request rides out a database that is away (a restart, a cut) until its deadline.
          if (!request.wait || leaving !== null || !isUnavailable(error)) throw error;
          outcome = { kind: 'waiting', ticket: ticket ?? -1, conflicts: [] };
        }
        if (outcome.kind === 'granted') {
          ticket = null;
          return { granted: true, locks: outcome.locks, token: outcome.token };
        }
        if (outcome.kind === 'refused') {
          ticket = null;
          return { granted: false, reason: leaving ?? 'conflict', conflicts: outcome.conflicts };
        }
        ticket = outcome.ticket < 0 ? ticket : outcome.ticket;
        const now = performance.now();
        if (request.onWait && now - lastReport >= reportEvery && outcome.conflicts.length > 0) {
          lastReport = now;
          request.onWait({ conflicts: outcome.conflicts, waitedMs: Math.round(now - started) });
        }
        const untilReport = request.onWait ? lastReport + reportEvery - now : Number.POSITIVE_INFINITY;
        const sleep = Math.max(0, Math.min(poll, deadline - now, untilReport, queueRefreshMs(this.queueLeaseMs)));
        if (!wakeup.woken) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, sleep);
            function done(): void {
              clearTimeout(timer);
              request.signal?.removeEventListener('abort', done);
              wakeup.wake = null;
              resolve();
            }
            wakeup.wake = done;
            request.signal?.addEventListener('abort', done, { once: true });
          });
        }
        poll = Math.min(poll * 2, POLL_MAX_MS);
      }
    } finally {
      unsubscribe?.();
      if (ticket !== null) await this.leaveLine(ticket);
    }
  }

  /** Drop our place in line after a failure (best effort: an entry left behind loses its lease). */
  private async leaveLine(ticket: number): Promise<void> {
    await this.call('leave the line', (session) => session.query(`DELETE FROM ${SCHEMA}.waiters WHERE ticket = $1`, [ticket])).catch(() => undefined);
  }

  async release(agentId: string, paths: string[], options: ReleaseOptions = {}): Promise<ReleaseResult> {
    validateAgentId(agentId);
    const wanted = [...new Set(paths)];
    const { holder } = options;
    // A forced release judges whose locks they are in the section; one's own is one statement.
    const released = options.force === true
      ? await this.inBatch('release', (s) => planRemove(s, agentId, true, (l) => wanted.includes(l.file_path) && (holder === undefined || l.agent_id === holder), (l) => mayRelease(l, agentId, options.pid, false)), { view: 'locks' })
      : await this.inBatch('release', (s) => planRelease(s, { agentId, paths: wanted, anyId: false, ...(options.pid !== undefined ? { pid: options.pid } : {}), ...(holder !== undefined ? { holder } : {}) }), { view: 'none' });
    const releasedPaths = new Set(released.map((l) => l.file_path));
    return { released, notHeld: wanted.filter((p) => !releasedPaths.has(p)) };
  }

  async releaseAll(agentId: string, options: { pid?: number } = {}): Promise<LockRecord[]> {
    validateAgentId(agentId);
    return this.inBatch('release', (s) => planRelease(s, { agentId, paths: null, anyId: true, ...(options.pid !== undefined ? { pid: options.pid } : {}) }), { view: 'none' });
  }

  /** `waitMs`: the renewal, retries included, ends within this (it must end inside the kill deadline). */
  async renew(agentId: string, options: RenewOptions): Promise<RenewResult> {
    validateAgentId(agentId);
    return this.inBatch('renew', (s) => planRenew(s, agentId, options), { view: 'none', retry: true, ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}) });
  }

  async check(agentId: string, paths: PathRequest[]): Promise<ConflictRecord[]> {
    validateAgentId(agentId);
    checkPaths(paths);
    const { locks } = await this.call('check', (session) => readLive(session, this.ctx), true);
    return holderConflicts(agentId, paths, locks);
  }

  async listLocks(): Promise<LockRecord[]> {
    return (await this.call('list locks', (session) => readLive(session, this.ctx), true)).locks;
  }

  async cleanupStale(): Promise<LockRecord[]> {
    return this.inBatch('cleanup', (s) => {
      s.add(`DELETE FROM ${SCHEMA}.messages WHERE scope = ${s.scopeLit} AND state = 'read' AND read_at < now() - interval '1 day'`);
      for (const table of ['history', 'conflicts']) {
        s.add(`DELETE FROM ${SCHEMA}.${table} WHERE scope = ${s.scopeLit} AND id <= (SELECT id FROM ${SCHEMA}.${table} WHERE scope = ${s.scopeLit} ORDER BY id DESC OFFSET 500 LIMIT 1)`);
      }
      return () => [...s.reclaimed];
    }, { view: 'line' });
  }

  // ---------------------------------------------------------------- agents, journals, board

  async updateAgent(agentId: string, patch: Partial<AgentEntry>): Promise<void> {
    validateAgentId(agentId);
    const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    await this.inBatch('update agent', (s) => {
      s.add(
        `INSERT INTO ${SCHEMA}.agents (scope, agent_id, entry) VALUES (${s.scopeLit}, ${s.lit.text(agentId)}, ${s.lit.json(blankEntry())} || ${s.lit.json(given)})
         ON CONFLICT (scope, agent_id) DO UPDATE SET entry = ${SCHEMA}.agents.entry || ${s.lit.json(given)}, updated_at = now()`,
      );
      return () => undefined;
    }, { view: 'none' });
  }

  /** Refresh the entries' time (updated_at, the database's clock): their supervisor still keeps them. */
  async touchAgents(agentIds: string[]): Promise<void> {
    if (agentIds.length === 0) return;
    for (const id of agentIds) validateAgentId(id);
    await this.inBatch('touch agents', (s) => {
      s.add(`UPDATE ${SCHEMA}.agents SET updated_at = now() WHERE scope = ${s.scopeLit} AND agent_id = ANY(ARRAY[${agentIds.map((id) => s.lit.text(id)).join(', ')}]::text[])`);
      return () => undefined;
    }, { view: 'none' });
  }

  async appendHistory(entries: HistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.inBatch('history', (s) => {
      s.history(entries);
      return () => undefined;
    }, { view: 'none' });
  }

  async appendConflicts(conflicts: ConflictRecord[]): Promise<void> {
    if (conflicts.length === 0) return;
    await this.inBatch('conflicts', (s) => {
      logConflicts(s, conflicts);
      return () => undefined;
    }, { view: 'none' });
  }

  async board(): Promise<BoardRecord> {
    return this.call('board', (session) => readBoard(session, this.ctx), true);
  }

  /** The board is read fresh from the database each time: nothing to write. */
  async flushBoard(): Promise<void> {}

  // ---------------------------------------------------------------- messages

  async send(request: SendRequest): Promise<MessageRecord[]> {
    checkSend(request);
    return this.call('send', (session) => mail.send(session, this.ctx, request));
  }

  async sendEnd(to: string, from: string): Promise<void> {
    validateAgentId(to, 'target agent id');
    validateAgentId(from, 'sender id');
    await this.call('send', (session) => mail.sendEnd(session, this.ctx, to, from));
  }

  async readMessages(agentId: string, options: ReadOptions = {}): Promise<MessageRecord[]> {
    validateAgentId(agentId);
    if (options.peek) return this.call('peek', (session) => mail.peek(session, this.ctx, agentId, this.inFlight), true);
    const { entries } = await this.call('read messages', (session) => mail.takeOrClaim(session, this.ctx, agentId, { ends: 'skip', claim: false, inFlight: this.inFlight }));
    return entries.flatMap((e) => (e.kind === 'message' ? [e.record] : []));
  }

  async takeInbox(agentId: string): Promise<InboxEntry[]> {
    validateAgentId(agentId);
    return (await this.call('take inbox', (session) => mail.takeOrClaim(session, this.ctx, agentId, { ends: 'stop', claim: false, inFlight: this.inFlight }))).entries;
  }

  async claimInbox(agentId: string, options: ClaimOptions = {}): Promise<InboxClaim> {
    validateAgentId(agentId);
    const ends = options.ends ?? 'stop';
    const { seqs, entries } = await this.call('claim inbox', (session) => mail.takeOrClaim(session, this.ctx, agentId, { ends, claim: true, inFlight: this.inFlight }));
    for (const seq of seqs) this.inFlight.add(seq);
    // Claimed and not yet delivered: a crash here must lose nothing (tests kill at this point).
    fault('inbox.claimed');
    let settled = false;
    return {
      entries,
      settle: async (delivered) => {
        if (settled || seqs.length === 0) return;
        settled = true;
        try {
          await this.settleSurely(agentId, seqs, Math.max(0, Math.min(delivered, seqs.length)));
        } finally {
          // Not settled (the store failed): the next take by this process returns them.
          for (const seq of seqs) this.inFlight.delete(seq);
        }
      },
    };
  }

  /**
   * Settle, trying again while the database is away: what was delivered must not be delivered
   * twice because a settle met a cut network (the claims stay ours, in flight, meanwhile).
   */
  private async settleSurely(agentId: string, seqs: number[], delivered: number): Promise<void> {
    const until = performance.now() + SETTLE_PATIENCE_MS;
    for (;;) {
      try {
        return await this.call('settle', (session) => mail.settle(session, this.ctx, agentId, seqs, delivered), true);
      } catch (error) {
        if (!isUnavailable(error) || performance.now() > until) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  async watchInbox(agentId: string, onChange: () => void): Promise<() => Promise<void>> {
    validateAgentId(agentId);
    let stopped = false;
    const unsubscribe = this.listener.subscribe(`${this.ctx.scopeKey}:inbox:${agentId}`, () => {
      if (!stopped) onChange();
    });
    // The fallback: a notification missed while the listener reconnected is seen within a second.
    // The timer keeps the process alive while it watches, as a file watcher would.
    const timer = setInterval(() => {
      this.call('watch inbox', (session) => mail.hasUnread(session, this.ctx, agentId), true)
        .then((any) => {
          if (any && !stopped) onChange();
        })
        .catch(() => undefined);
    }, POLL_MAX_MS);
    if (await this.call('watch inbox', (session) => mail.hasUnread(session, this.ctx, agentId), true).catch(() => false)) onChange();
    return async () => {
      stopped = true;
      clearInterval(timer);
      unsubscribe();
    };
  }

  async knownAgents(): Promise<string[]> {
    return this.call('known agents', (session) => mail.knownAgents(session, this.ctx), true);
  }

  async close(): Promise<void> {
    this.listener.close();
    await this.conn.close();
  }
}

function isUnavailable(error: unknown): boolean {
  return error instanceof AgentvisorError && error.code === 'STORE_UNAVAILABLE';
}
