// The one error type of agentvisor: a code per failure, facts as fields, the cause kept.
// The CLI maps codes to exit codes; the library rejects with these.

export type ErrorCode =
  // bad input: the CLI exits 2
  | 'INVALID_AGENT_ID'
  | 'INVALID_LOCK_PATH'
  | 'INVALID_GLOB'
  // two globs whose overlap search passed its bound: callers count them as overlapping
  | 'OVERLAP_UNDECIDED'
  | 'PATH_OUTSIDE_ROOT'
  | 'INVALID_DURATION'
  | 'INVALID_ARGUMENT'
  | 'INVALID_MESSAGE'
  | 'INVALID_STATUS'
  | 'UNKNOWN_AGENT'
  | 'CONFIG_INVALID'
  // coordination outcomes: the CLI exits 3
  | 'LOCK_CONFLICT'
  | 'LOCK_TIMEOUT'
  // the holder's view
  | 'LOCK_NOT_HELD'
  | 'LOCK_LOST'
  // the store itself failed (I/O, corrupt state it cannot work around)
  | 'STORE_IO'
  | 'STORE_BUSY'
  // the PostgreSQL store: unreachable, refused, stalled; a schema it cannot use or create
  | 'STORE_UNAVAILABLE'
  | 'STORE_SCHEMA'
  // the dashboard cannot serve (its port is taken, its page is not built)
  | 'DASHBOARD_UNAVAILABLE'
  // a git command that agentvisor runs (guard --git-staged, init --git-hook) failed
  | 'GIT_FAILED';

export type ErrorFacts = Record<string, unknown>;

export class AgentvisorError extends Error {
  readonly code: ErrorCode;
  readonly facts: ErrorFacts;

  constructor(code: ErrorCode, message: string, facts: ErrorFacts = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentvisorError';
    this.code = code;
    this.facts = facts;
  }
}

export function isAgentvisorError(value: unknown, code?: ErrorCode): value is AgentvisorError {
  return value instanceof AgentvisorError && (code === undefined || value.code === code);
}

const BAD_INPUT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'INVALID_AGENT_ID',
  'INVALID_LOCK_PATH',
  'INVALID_GLOB',
  'PATH_OUTSIDE_ROOT',
  'INVALID_DURATION',
  'INVALID_ARGUMENT',
  'INVALID_MESSAGE',
  'INVALID_STATUS',
  'UNKNOWN_AGENT',
  'CONFIG_INVALID',
]);

/** True for errors caused by what the caller passed in (exit 2 at the CLI). */
export function isBadInput(error: unknown): boolean {
  return error instanceof AgentvisorError && BAD_INPUT.has(error.code);
}
