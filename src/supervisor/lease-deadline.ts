// When an agent whose renewals fail must be dead, as pure functions of times on one monotonic
// clock: the last successful renewal (when it was sent) + the lease − one heartbeat. The lease
// runs from the store's stamp, which comes after the send, so this deadline always falls at least
// one heartbeat before anyone else can be granted the agent's paths. Store-agnostic: the file
// store and the PostgreSQL store keep the same rule (the contract's "distributed store" section).

export interface LeaseTerms {
  leaseMs: number;
  heartbeatMs: number;
}

/** Retries of a failed renewal come at least this far apart (a store that fails at once is not hammered). */
const MIN_RETRY_MS = 20;
/** Retries come often enough that several fit before the deadline. */
const RETRIES_BEFORE_DEADLINE = 4;

/** The moment (same clock as `lastRenewalSentAt`) the agent must be killed unless renewed before. */
export function killDeadline(lastRenewalSentAt: number, terms: LeaseTerms): number {
  return lastRenewalSentAt + terms.leaseMs - terms.heartbeatMs;
}

/** When to retry a renewal that failed at `now`, or null when the deadline leaves no room. */
export function retryAt(now: number, deadline: number, terms: LeaseTerms): number | null {
  const left = deadline - now;
  if (left <= MIN_RETRY_MS) return null;
  return now + Math.max(MIN_RETRY_MS, Math.min(terms.heartbeatMs / RETRIES_BEFORE_DEADLINE, left / RETRIES_BEFORE_DEADLINE));
}

/** How long one renewal may wait for the store: it must end well inside the deadline, leaving room to retry. */
export function renewalBudget(now: number, deadline: number): number {
  return Math.max(0, Math.floor((deadline - now) / 2));
}

/**
 * How long a watchdog may hear nothing before it kills every agent: until the earliest deadline of
 * the agents still to be protected (those past theirs are being killed by the supervisor itself),
 * or `idle` when none is.
 */
export function watchdogSilence(deadlines: readonly number[], now: number, idle: number): number {
  const pending = deadlines.filter((d) => d > now);
  return pending.length === 0 ? idle : Math.min(...pending) - now;
}
