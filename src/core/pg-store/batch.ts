// How one batch of the PostgreSQL store's calls runs (group-commit.ts forms the batches): one
// transaction for all of them. When any needs the scope's view (an acquisition attempt, a forced
// release, a cleanup) the batch enters the section once (advisory lock and read, section.ts); each
// plan in turn sees the earlier plans' effects; their statements go with one COMMIT, and each
// caller's reader gets its own results. Calls that need no view (releases, renewals, board writes)
// go in one round trip. Renewals on their deadline batch only among themselves: never behind the
// scope's lock, and their short budgets never cut another call short. A plan that throws is undone
// and fails alone; the calls after it are handed back.

import { AgentvisorError } from '../errors.js';
import { fault } from '../faults.js';
import { batchWaitMs, hasTimeLeft, type Job } from '../group-commit.js';
import type { Session } from './connection.js';
import { bare, commit, enter, NeedsCommitted, type PgContext, type PgSection } from './section.js';

export type Reader<T> = (results: { rows: unknown[] }[]) => T;

/** One call waiting for a transaction. */
export interface PgJob extends Job {
  /** Named in an error (`acquire`, `release`...). */
  what: string;
  /** Queue this call's statements on the section; the reader answers it from their results. */
  plan: (s: PgSection) => Reader<unknown>;
  /** What of the scope it must see: nothing (no lock taken), its locks, or its locks and waiting line. */
  view: 'none' | 'locks' | 'line';
  /** Safe to run again after a connection that could not be made (connection.ts). */
  retry: boolean;
  /** A renewal on its deadline: never behind the scope's lock. */
  urgent: boolean;
  /** Run in a transaction of its own (after its batch failed in the server, or could not retry). */
  alone?: boolean;
}

/** Run `body` on the store's connection (the schema made current first). */
export type Runner = <T>(what: string, body: (session: Session) => Promise<T>, retry: boolean, timeoutMs?: number) => Promise<T>;

interface Planned {
  job: PgJob;
  read: Reader<unknown>;
}

interface Outcome {
  planned: Planned[];
  results: { rows: unknown[] }[];
  /** The job whose plan threw, and why (NeedsCommitted: it only waits for the next batch). */
  failed: { job: PgJob; error: unknown } | null;
}

/** GroupCommit's runner for the PostgreSQL store. */
export async function runPgBatch(run: Runner, ctx: PgContext, jobs: PgJob[]): Promise<{ again: PgJob[] }> {
  const { now, later } = choose(jobs);
  let outcome: Outcome;
  try {
    outcome = await run([...new Set(now.map((j) => j.what))].join(', '), (session) => planAndCommit(session, ctx, now), now.every((j) => j.retry), budget(now));
  } catch (error) {
    return { again: [...afterFailure(now, error), ...later] };
  }
  for (const { job, read } of outcome.planned) {
    try {
      job.resolve(read(outcome.results));
    } catch (error) {
      job.reject(error);
    }
  }
  const done = outcome.planned.length;
  const { failed } = outcome;
  if (failed && !(failed.error instanceof NeedsCommitted && done > 0)) failed.job.reject(failed.error);
  const rest = failed ? now.slice(done + (failed.error instanceof NeedsCommitted && done > 0 ? 0 : 1)) : [];
  return { again: [...rest, ...later] };
}

/**
 * The jobs of this transaction, and those handed back for the next. Renewals on their deadline go
 * among themselves: a transaction ends within the shortest budget of its jobs, which must never
 * cut short a release or a board write that has the whole call deadline (and renewals never wait
 * behind the scope's lock).
 */
function choose(jobs: PgJob[]): { now: PgJob[]; later: PgJob[] } {
  if (jobs[0]!.alone) return { now: [jobs[0]!], later: jobs.slice(1) };
  const together = jobs.filter((j) => !j.alone);
  const alone = jobs.filter((j) => j.alone);
  if (together.some((j) => j.urgent) && together.some((j) => !j.urgent)) {
    return { now: together.filter((j) => j.urgent), later: [...together.filter((j) => !j.urgent), ...alone] };
  }
  return { now: together, later: alone };
}

/** The transaction, retries included, ends within the shortest budget of its renewals. */
function budget(jobs: PgJob[]): number | undefined {
  return jobs.some((j) => Number.isFinite(j.waitMs)) ? batchWaitMs(jobs) : undefined;
}

async function planAndCommit(session: Session, ctx: PgContext, jobs: PgJob[]): Promise<Outcome> {
  const needsView = jobs.some((j) => j.view !== 'none');
  const s = needsView ? await enter(session, ctx, jobs.some((j) => j.view === 'line')) : bare(session, ctx);
  // Inside the transaction, the scope's lock held (tests stop a client here).
  if (needsView) fault('pg.section.entered');
  const planned: Planned[] = [];
  let failed: Outcome['failed'] = null;
  for (const job of jobs) {
    const mark = s.mark();
    try {
      planned.push({ job, read: job.plan(s) });
    } catch (error) {
      s.undo(mark);
      failed = { job, error };
      break;
    }
  }
  const results = await commit(session, s);
  return { planned, results, failed };
}

/**
 * The transaction failed. Alone, the job fails. Together: when the server refused a statement
 * (one call's bad data), each runs again alone, so only that call fails; when the database is
 * away, each fails as it would have alone, except retryable calls in a batch that could not retry
 * (it held others), which run again alone while they have time, and renewals that still have time
 * when the batch ended at the shortest budget among them, which run again together.
 */
function afterFailure(jobs: PgJob[], error: unknown): PgJob[] {
  if (jobs.length === 1) {
    jobs[0]!.reject(error);
    return [];
  }
  if (refusedByServer(error)) {
    for (const job of jobs) job.alone = true;
    return jobs;
  }
  const retried = jobs.every((j) => j.retry);
  const now = performance.now();
  // A batch that retried already ran out of the shortest budget: those with a budget of their own
  // left try again (never a call without one: it was retried for the whole call deadline).
  const again = jobs.filter((j) => j.retry && hasTimeLeft(j, now) && (!retried || Number.isFinite(j.waitMs)));
  for (const job of jobs) {
    if (!again.includes(job)) job.reject(error);
    else if (!retried) job.alone = true;
  }
  return again;
}

/** The server answered with an error about a statement (not a connection, a deadline or a shutdown). */
function refusedByServer(error: unknown): boolean {
  if (!(error instanceof AgentvisorError)) return true;
  const sqlstate = (error.facts as { sqlstate?: unknown }).sqlstate;
  if (error.code !== 'STORE_UNAVAILABLE') return true;
  return typeof sqlstate === 'string' && !/^(08|57|53|40)/.test(sqlstate);
}
