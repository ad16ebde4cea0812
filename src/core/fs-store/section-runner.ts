// How calls get into the file store's critical section: the calls one process makes together are
// batched (../group-commit.ts) into one mutex entry, where one Section (section.ts) is entered, each
// call's body runs on it in call order, and the section is finished once (counters, then the
// board). The rules that make a batch as safe as one call per section are in docs/file-store.md.

import { mkdirSync, statSync } from 'node:fs';
import { AgentvisorError } from '../errors.js';
import { batchWaitMs, GroupCommit, hasTimeLeft, type Job } from '../group-commit.js';
import { storeIoError } from './atomic-file.js';
import { DirMutex } from './mutex.js';
import { Section, type StoreContext } from './section.js';

export interface SectionOptions<A> {
  /** Make the dir if it is missing; without it, a missing dir answers `absent` and writes nothing. */
  create: boolean;
  absent: A;
  /** How long to wait for the mutex before STORE_BUSY (default: the busy timeout). */
  waitMs?: number;
  /** A STORE_BUSY error does not look for the holder (a renewal on its kill deadline). */
  quiet?: boolean;
  /** The call will look again (a waiting acquire): the portable path need not block on ps for it. */
  patient?: boolean;
}

/** A call waiting for the critical section. */
interface SectionJob extends Job {
  body: (s: Section) => unknown;
  create: boolean;
  absent: unknown;
  quiet: boolean;
  patient: boolean;
}

export class SectionRunner {
  private readonly mutex: DirMutex;
  private readonly batches = new GroupCommit<SectionJob>((jobs) => this.runBatch(jobs));
  private closed = false;
  /** Sections this store has been through: after the first, the portable path never blocks on ps inside one. */
  private sectionsDone = 0;
  /** The section's body running now belongs to a call that will look again (a waiting acquire). */
  private patient = false;

  constructor(
    private readonly dir: string,
    private readonly ctx: StoreContext,
    private readonly busyTimeoutMs: number,
    /** At the end of every section, counters written: the board follows (board-writer.ts). */
    private readonly afterSection: (s: Section) => void,
  ) {
    this.mutex = new DirMutex(dir);
  }

  /** Whether the portable path may answer from its background ps instead of blocking on one. */
  get warm(): boolean {
    return this.sectionsDone > 0 || this.patient;
  }

  /** Run `body` inside the mutex, in the next batch (SectionOptions says how). */
  run<T, A>(body: (s: Section) => T, options: SectionOptions<A>): Promise<T | A> {
    if (this.closed) return Promise.reject(new AgentvisorError('STORE_IO', `the store for ${this.dir} is closed`, { dir: this.dir }));
    return new Promise<T | A>((resolve, reject) => {
      this.batches.submit({
        body,
        create: options.create,
        absent: options.absent,
        quiet: options.quiet === true,
        patient: options.patient === true,
        submittedAt: performance.now(),
        waitMs: options.waitMs ?? this.busyTimeoutMs,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
    });
  }

  close(): void {
    this.closed = true;
  }

  /** One pass through the mutex for a batch of calls (GroupCommit's runner). */
  private async runBatch(jobs: SectionJob[]): Promise<{ again: SectionJob[] }> {
    // One stat both tells whether the dir exists and names the mutex.
    if (!statSync(this.dir, { throwIfNoEntry: false })) {
      for (const job of jobs) if (!job.create) job.resolve(job.absent);
      jobs = jobs.filter((job) => job.create);
      if (jobs.length === 0) return { again: [] };
      try {
        mkdirSync(this.dir, { recursive: true });
      } catch (error) {
        throw storeIoError('mkdir', error, this.dir);
      }
    }
    // The portable path's ps runs in the background, not inside the mutex where everyone would wait.
    void this.ctx.liveness.refreshAhead?.();
    let answered = 0;
    let again: SectionJob[] = [];
    try {
      await this.mutex.run(() => {
        // The entry judges holders for every job: it may skip a blocking ps only if all will look again.
        this.patient = jobs.every((job) => job.patient);
        const s = Section.enter(this.ctx);
        try {
          for (const job of jobs) {
            this.patient = job.patient;
            answered++;
            try {
              job.resolve(job.body(s));
            } catch (error) {
              job.reject(error);
              // What failed may have left the section's view behind the files: the rest get a fresh one.
              again = jobs.slice(answered);
              return;
            }
          }
        } finally {
          this.finish(s);
        }
      }, undefined, batchWaitMs(jobs), jobs.every((job) => job.quiet));
    } catch (error) {
      const unanswered = jobs.slice(answered);
      // Busy for the shortest budget among them: those with time left wait on.
      const busy = error instanceof AgentvisorError && error.code === 'STORE_BUSY';
      const now = performance.now();
      again = busy ? unanswered.filter((job) => hasTimeLeft(job, now)) : [];
      for (const job of unanswered) if (!again.includes(job)) job.reject(error);
    }
    return { again };
  }

  /** After the mutation: write the counters, and see that the board follows. */
  private finish(s: Section): void {
    this.sectionsDone++;
    try {
      if (s.needsPersist) s.persist();
    } catch {
      // The counters are recovered from the files themselves; the mutation stands.
    }
    this.afterSection(s);
  }
}
