// One connection to PostgreSQL for a store: `pg` loaded lazily (only a PostgreSQL store pays for
// it), calls run one at a time (a transaction owns the connection until it ends), every call has a
// client-side deadline after which the connection is destroyed (a stalled network never hangs a
// caller), a broken connection is replaced at the next call, and transient errors are retried.
// Errors become one-line AgentvisorErrors that never carry the password.

import type * as Pg from 'pg';
import type { Client, QueryResult } from 'pg';
import { AgentvisorError } from '../errors.js';
import { redactUrl, scrub } from './url.js';

export interface ConnectionOptions {
  url: string;
  /** Deadline of one call (connect included). */
  callTimeoutMs: number;
  applicationName?: string;
}

/** SQLSTATEs worth running the whole transaction again for. */
const TRANSIENT = new Set(['40001', '40P01', '23505', '42P07', '42710', '55P03', '57P01', '57P02', '57P03']);
const RETRIES = 5;

export interface RunOptions {
  /** Try again after a connection that could not be made (idempotent calls). */
  retry?: boolean;
  /** Named in the error. */
  what?: string;
  /** The whole call, retries included, ends within this (default: one call deadline per attempt). */
  timeoutMs?: number;
}

export type Query = (sql: string, params?: unknown[]) => Promise<QueryResult>;

/** What a call body gets: queries on the connection, and literal quoting for batched statements. */
export interface Session {
  query: Query;
  /** Several statements in one round trip (simple protocol: literals only, via `literal`). */
  batch(sql: string): Promise<QueryResult[]>;
  literal(value: string): string;
}

type PgModule = typeof Pg;

let pgModule: Promise<PgModule> | undefined;

function loadPg(): Promise<PgModule> {
  return (pgModule ??= import('pg').then((m) => (m as unknown as { default?: PgModule }).default ?? m));
}

export class PgConnection {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(readonly options: ConnectionOptions) {}

  get shownUrl(): string {
    return redactUrl(this.options.url);
  }

  /**
   * Run `body` alone on the connection, within the deadline. `retry`: run it again after a
   * transient error (the transaction was rolled back) or a connection that could not be made.
   */
  run<T>(body: (session: Session) => Promise<T>, options: RunOptions = {}): Promise<T> {
    const next = this.tail.then(() => this.attempts(body, options));
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async attempts<T>(body: (session: Session) => Promise<T>, options: RunOptions): Promise<T> {
    const until = options.timeoutMs !== undefined ? performance.now() + options.timeoutMs : Number.POSITIVE_INFINITY;
    for (let attempt = 0; ; attempt++) {
      try {
        const left = until - performance.now();
        if (left <= 0) throw new DeadlineError(options.timeoutMs!);
        return await this.once(body, Math.min(this.options.callTimeoutMs, left));
      } catch (error) {
        const again = attempt < RETRIES && performance.now() < until && (isTransient(error) || (options.retry === true && isConnectFailure(error)));
        if (!again) throw this.wrap(error, options.what);
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 500) * (0.5 + Math.random())));
      }
    }
  }

  private async once<T>(body: (session: Session) => Promise<T>, timeoutMs: number): Promise<T> {
    if (this.closed) throw new AgentvisorError('STORE_UNAVAILABLE', `the store ${this.shownUrl} is closed`);
    let timer: NodeJS.Timeout | undefined;
    let client: Client | null = null;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // A stalled connection: destroy it, so nothing waits on it again.
        this.destroy(client ?? this.client);
        reject(new DeadlineError(timeoutMs));
      }, timeoutMs);
    });
    try {
      client = await Promise.race([this.connect(), deadline]);
      const session = sessionOf(client, deadline);
      return await Promise.race([this.inTransactionGuard(client, body, session), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** If a body fails inside a transaction, roll it back (or drop the connection). */
  private async inTransactionGuard<T>(client: Client, body: (session: Session) => Promise<T>, session: Session): Promise<T> {
    try {
      return await body(session);
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        this.destroy(client);
      }
      throw error;
    }
  }

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const pg = await loadPg();
      const client = new pg.Client({
        connectionString: this.options.url,
        keepAlive: true,
        application_name: this.options.applicationName ?? 'agentvisor',
        connectionTimeoutMillis: this.options.callTimeoutMs,
        // Our transactions are two round trips. One left open longer belongs to a client that was
        // stopped (SIGSTOP, a debugger) or cut off while holding the scope's advisory lock: the
        // server ends it rather than let it block every other host until TCP gives up.
        idle_in_transaction_session_timeout: Math.max(1_000, this.options.callTimeoutMs),
      });
      client.on('error', () => this.destroy(client));
      try {
        await client.connect();
      } catch (error) {
        this.destroy(client);
        throw new ConnectError(error);
      }
      // An idle connection keeps no process alive (the seed API's users simply exit); a call in
      // flight is kept alive by its deadline timer.
      unrefSocket(client);
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private destroy(client: Client | null): void {
    if (!client) return;
    if (this.client === client) this.client = null;
    const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
    try {
      stream?.destroy();
    } catch {
      // gone already
    }
    client.end().catch(() => undefined);
  }

  /** One line naming the store (without password) and what went wrong. */
  wrap(error: unknown, what?: string): Error {
    if (error instanceof AgentvisorError && error.code !== 'STORE_UNAVAILABLE') return error;
    const reason = scrub(describe(error), this.options.url);
    const code = (error as { code?: string } | null)?.code;
    const where = `PostgreSQL store ${this.shownUrl}`;
    const message = `${where}${what ? ` (${what})` : ''}: ${reason}`;
    return new AgentvisorError('STORE_UNAVAILABLE', message, { url: this.shownUrl, ...(code ? { sqlstate: code } : {}) });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    const client = this.client;
    this.client = null;
    // Not awaited: the socket is unref'd, so waiting for the server's goodbye could end the process
    // right here, before its caller prints anything.
    if (client) client.end().catch(() => undefined);
  }
}

export function unrefSocket(client: Client): void {
  (client as unknown as { connection?: { stream?: { unref?(): void } } }).connection?.stream?.unref?.();
}

function sessionOf(client: Client, deadline: Promise<never>): Session {
  return {
    query: (sql, params) => Promise.race([client.query(sql, params as unknown[] | undefined), deadline]),
    batch: async (sql) => {
      const result = (await Promise.race([client.query(sql), deadline])) as QueryResult | QueryResult[];
      return Array.isArray(result) ? result : [result];
    },
    literal: (value) => client.escapeLiteral(value),
  };
}

export class DeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms (the connection was dropped)`);
  }
}

class ConnectError extends Error {
  constructor(readonly original: unknown) {
    super(describe(original));
    this.name = 'ConnectError';
    this.code = (original as { code?: string } | null)?.code;
  }
  readonly code: string | undefined;
}

function isTransient(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return typeof code === 'string' && TRANSIENT.has(code);
}

function isConnectFailure(error: unknown): boolean {
  if (error instanceof DeadlineError) return true;
  if (!(error instanceof ConnectError)) return false;
  // Wrong credentials, a missing database or role: trying again changes nothing.
  return !['28P01', '28000', '3D000', '42501'].includes(error.code ?? '');
}

function describe(error: unknown): string {
  if (error instanceof ConnectError) return connectReason(error.original);
  const e = error as { code?: string; message?: string } | null;
  const message = (e?.message ?? String(error)).split('\n')[0]!;
  return message;
}

function connectReason(error: unknown): string {
  const e = error as { code?: string; message?: string } | null;
  const message = (e?.message ?? String(error)).split('\n')[0]!;
  switch (e?.code) {
    case 'ECONNREFUSED':
      return `cannot connect (connection refused): is PostgreSQL running there? (${message})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot connect: unknown host (${message})`;
    case '28P01':
    case '28000':
      return `the server refused the credentials (${message})`;
    case '3D000':
      return `no such database (${message})`;
    default:
      return `cannot connect: ${message}`;
  }
}
