// What `run` and `exec` share at the CLI edge: the logger, the store, the run itself, and printing
// the summary (a table on stderr for people; one JSON log line in CI or with --log-format json).

import { openStore } from '../core/open-store.js';
import { AgentvisorError } from '../core/errors.js';
import type { StoreTarget } from '../core/store-choice.js';
import type { AgentsConfig, OnConflict } from '../config/types.js';
import type { Store } from '../core/store.js';
import { chooseLogFormat, createLogger, type LogFormat, type Logger } from '../log.js';
import { runAgents, type SupervisorOptions } from './supervisor.js';
import { formatSummary, type RunResult } from './summary.js';

export interface CliRunInput {
  config: AgentsConfig;
  dir: string;
  /** The store (store-choice.ts); agents inherit it as AGENTVISOR_STORE and AGENTVISOR_SCOPE. */
  target: StoreTarget;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  logFormat?: LogFormat;
  onConflict?: OnConflict;
  lockTimeoutMs?: number | null;
  timeoutMs?: number | null;
  killOthersOnFail?: boolean;
  /** Print the summary table at the end (run: yes; exec: no). */
  summary: boolean;
  /** Extra supervisor options (tests, exec). */
  extra?: Partial<SupervisorOptions>;
  /**
   * Started once the store is open and before any agent (run --dashboard): a failure here ends the
   * run before anything starts; `close` runs after the last agent, before the store closes.
   */
  beforeRun?: (store: Store, log: Logger) => Promise<RunAddon>;
}

export interface RunAddon {
  extra?: Partial<SupervisorOptions>;
  close(): Promise<void>;
}

const DEFAULT_CALL_TIMEOUT_MS = 5_000;

export function parseLogFormat(value: string | undefined): LogFormat | undefined {
  if (value === undefined) return undefined;
  if (value === 'pretty' || value === 'json') return value;
  throw new AgentvisorError('INVALID_ARGUMENT', `--log-format: "${value}" is not pretty or json`, { option: '--log-format', value });
}

export function parseOnConflict(value: string | undefined): OnConflict | undefined {
  if (value === undefined) return undefined;
  if (value === 'wait' || value === 'fail') return value;
  throw new AgentvisorError('INVALID_ARGUMENT', `--on-conflict: "${value}" is not wait or fail`, { option: '--on-conflict', value });
}

export async function superviseFromCli(input: CliRunInput): Promise<{ result: RunResult; log: Logger }> {
  const format = chooseLogFormat(input.logFormat, input.env);
  const log = createLogger({ stream: input.stderr, env: input.env, format });
  // A database call of the supervisor never outlasts a heartbeat: renewals must fit inside the
  // lease, and tear-down after a cut gives the database at most that long per call.
  const callTimeoutMs = Math.min(input.config.heartbeatMs, DEFAULT_CALL_TIMEOUT_MS);
  const store = await openStore({ dir: input.dir, url: input.target.url, scope: input.target.scope, callTimeoutMs });
  // By environment, never on a command line (where ps would show a password).
  const env = { ...input.env, ...(input.target.url ? { AGENTVISOR_STORE: input.target.url } : {}), AGENTVISOR_SCOPE: input.target.scope };
  let result: RunResult;
  let addon: RunAddon | undefined;
  try {
    addon = await input.beforeRun?.(store, log);
    result = await runAgents({
      config: input.config,
      store,
      dir: input.dir,
      log,
      stdout: input.stdout as SupervisorOptions['stdout'],
      env,
      onConflict: input.onConflict,
      lockTimeoutMs: input.lockTimeoutMs,
      timeoutMs: input.timeoutMs ?? null,
      killOthersOnFail: input.killOthersOnFail ?? false,
      ...input.extra,
      ...addon?.extra,
    });
  } finally {
    await addon?.close().catch((error: unknown) => log.warn({ err: error }, `closing failed: ${(error as Error).message}`));
    // The run's own Ctrl-Z handling has ended; these last sections must not be stopped inside either.
    await outsideSections(async () => {
      await store.flushBoard().catch(() => undefined);
      await store.close();
    });
  }
  if (input.summary) printSummary(result, log, format, input.stderr);
  return { result, log };
}

/**
 * Run `work` with SIGTSTP handled: a JS handler runs between turns of the event loop, never inside
 * the store's synchronous critical section, so stopping from it never freezes the store for others.
 */
async function outsideSections(work: () => Promise<void>): Promise<void> {
  const stopHere = (): void => void process.kill(process.pid, 'SIGSTOP');
  process.on('SIGTSTP', stopHere);
  try {
    await work();
  } finally {
    process.off('SIGTSTP', stopHere);
  }
}

function printSummary(result: RunResult, log: Logger, format: LogFormat, stderr: NodeJS.WritableStream): void {
  if (format === 'json') {
    const agents = result.agents.map((a) => ({
      agent: a.id, exit: a.exit, exit_code: a.exitCode, signal: a.signal, duration_ms: a.durationMs,
      restarts: a.restarts, files_changed: a.changed, outcome: a.outcome.kind, detail: a.detail, allow_failure: a.allowFailure,
    }));
    log.info({ summary: { exit_code: result.exitCode, agents, unowned: result.unowned } }, `run finished: exit ${result.exitCode}`);
    return;
  }
  stderr.write(`\n${formatSummary(result)}`);
}
