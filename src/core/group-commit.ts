// Group commit: calls of one process that need a store's critical section while another section
// of the same process is being entered or run share the next one, in the order they came. A run
// that starts 50 agents at once takes a handful of sections instead of 50 per step, and a lone call
// waits for nothing more than a microtask. Each store says how one batch runs (one mutex entry for
// the file store, one transaction for PostgreSQL); this module only forms the batches.

/** One call waiting for a section: its own budget, and how to answer it. */
export interface Job<T = unknown> {
  /** When the call was made (performance.now()) and how long it may wait for a section in all. */
  readonly submittedAt: number;
  readonly waitMs: number;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** What became of a batch's jobs: the store runs each and settles it, or hands it back. */
export type BatchRunner<J extends Job> = (jobs: J[]) => Promise<{ again: J[] }>;

/**
 * A section holds the store's mutex for every process: a batch is bounded so that another
 * process's call never waits behind more than this many of ours.
 */
export const MAX_BATCH = 64;

export class GroupCommit<J extends Job> {
  private readonly pending: J[] = [];
  private draining = false;

  constructor(private readonly runBatch: BatchRunner<J>) {}

  submit(job: J): void {
    this.pending.push(job);
    if (!this.draining) void this.drain();
  }

  /** Jobs not yet in a batch (tests, and a store closing). */
  get waiting(): number {
    return this.pending.length;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      // Calls made in the same turn as the first (Promise.all over many agents) join its batch.
      await Promise.resolve();
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        let again: J[];
        try {
          ({ again } = await this.runBatch(batch));
        } catch (error) {
          // A runner settles its jobs itself; one that throws fails the batch rather than hang it.
          for (const job of batch) job.reject(error);
          again = [];
        }
        // Handed back (after another job's failure, or a busy mutex within their budget): first in line.
        this.pending.unshift(...again);
      }
    } finally {
      this.draining = false;
    }
  }
}

/** The shortest wait left among the jobs (ms from now), never below 0. */
export function batchWaitMs(jobs: readonly Job[], now = performance.now()): number {
  let least = Number.POSITIVE_INFINITY;
  for (const job of jobs) least = Math.min(least, job.submittedAt + job.waitMs - now);
  return Math.max(0, least);
}

/** Whether a job still has time to wait for a section. */
export function hasTimeLeft(job: Job, now = performance.now()): boolean {
  return job.submittedAt + job.waitMs > now;
}
