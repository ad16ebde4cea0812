// Each agent's board entry: waiting → running → restarting → exited | failed | skipped | stopped,
// with its pid, start, exit code or signal and restarts; its run, what it waits for, when and why it
// ended, and the supervisor and watchdog that keep it true. Patches merge until the run has been quiet
// for BOARD_QUIET_MS, or at most BOARD_LAG_MS (the board may lag up to 1 s; the store adds 250 ms):
// 50 agents that start and end together cost 50 entry writes, not 150, all in one section of the
// store (its group commit) shared with whatever acquisitions and releases come at the same time.

import { bootId, hostName, processStart } from '../../core/liveness.js';
import type { AgentEntry, AgentStatus, ConflictRecord, EndReason, WaitingFor } from '../../core/records.js';
import type { AgentProcess } from '../agent-process.js';
import type { AgentOutcome } from '../events.js';
import type { Policy, RunContext } from '../policy.js';

function finalStatus(outcome: AgentOutcome): AgentStatus {
  switch (outcome.kind) {
    case 'succeeded':
      return 'exited';
    case 'skipped':
      return 'skipped';
    case 'stopped':
      return 'stopped';
    case 'failed':
    case 'timed-out':
    case 'lease-lost':
    case 'lock-conflict':
    case 'lock-timeout':
      return 'failed';
  }
}

function endReason(outcome: AgentOutcome): EndReason {
  switch (outcome.kind) {
    case 'succeeded':
      return 'exit';
    case 'failed':
      return outcome.exit.signal ? 'signal' : 'exit';
    case 'timed-out':
      return 'timed out';
    case 'lease-lost':
      return 'lost lease';
    case 'lock-conflict':
      return 'lock conflict';
    case 'lock-timeout':
      return 'lock timeout';
    case 'skipped':
      return 'skipped';
    case 'stopped':
      return outcome.reason.kind === 'signal' ? 'signal' : 'stopped';
  }
}

/** What a waiting agent waits for, from the conflicts its request met (a holder first). */
function lockAwaited(conflicts: ConflictRecord[]): WaitingFor | null {
  const first = conflicts.find((c) => c.locked_by && c.lock_path && !c.queued) ?? conflicts.find((c) => c.locked_by && c.lock_path);
  return first ? { lock_path: first.lock_path!, locked_by: first.locked_by! } : null;
}

/** Who keeps the entries of this run true: any reader can tell a run that died under them. */
function runIdentity(run: RunContext): Partial<AgentEntry> {
  const { settings } = run;
  return {
    run_id: settings.runId,
    supervisor_pid: settings.supervisorPid,
    supervisor_pid_start: processStart(settings.supervisorPid),
    watchdog_pid: settings.watchdog?.pid ?? null,
    watchdog_pid_start: settings.watchdog?.start ?? null,
    boot_id: bootId(),
    lease_ms: settings.leaseMs,
  };
}

function exitFields(agent: AgentProcess | undefined): Partial<AgentEntry> {
  const exit = agent?.lastExit;
  return exit ? { exit_code: exit.code, signal: exit.signal } : {};
}

/** A burst of patches is written once nothing new came for this long... */
export const BOARD_QUIET_MS = 100;
/** ...or once the oldest patch waited this long. */
export const BOARD_LAG_MS = 400;

export function board(): Policy {
  const pending = new Map<string, Partial<AgentEntry>>();
  let timer: NodeJS.Timeout | undefined;
  let oldest: number | null = null;
  let writing: Promise<void> = Promise.resolve();
  let context: RunContext | null = null;
  const writeAll = async (run: RunContext): Promise<void> => {
    // All at once: the store takes them in one section (group-commit.ts), beside any acquisitions.
    const patches = [...pending];
    pending.clear();
    await Promise.all(patches.map(([id, patch]) =>
      run.store.updateAgent(id, patch).catch((error: unknown) => run.log.debug({ agent: id, err: error }, 'board update failed')),
    ));
  };
  const flush = (run: RunContext): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    oldest = null;
    writing = writing.then(() => writeAll(run));
    return writing;
  };
  const update = (id: string, patch: Partial<AgentEntry>): void => {
    const run = context;
    if (!run) return;
    pending.set(id, { ...pending.get(id), ...patch });
    const now = performance.now();
    oldest ??= now;
    clearTimeout(timer);
    timer = setTimeout(() => void flush(run), Math.max(0, Math.min(BOARD_QUIET_MS, oldest + BOARD_LAG_MS - now)));
  };
  return {
    name: 'board',
    attach(run) {
      context = run;
      const identity = runIdentity(run);
      for (const agent of run.agents.values()) {
        update(agent.id, {
          status: 'waiting', files: [...agent.spec.owns, ...agent.spec.reads], pid: null, host: hostName(),
          started_at: null, heartbeat: null, exit_code: null, signal: null, restarts: 0,
          waiting_for: null, ended_at: null, reason: null, ...identity,
        });
      }
    },
    notify(event, run) {
      const agent = run.agents.get('agent' in event ? event.agent : '');
      switch (event.type) {
        case 'started': {
          const now = new Date().toISOString();
          update(event.agent, { status: 'running', pid: event.pid, started_at: now, heartbeat: now, exit_code: null, signal: null, waiting_for: null });
          return;
        }
        case 'waiting-for-agent':
          update(event.agent, { waiting_for: { agent_id: event.on } });
          return;
        case 'waiting-for-locks': {
          const awaited = lockAwaited(event.conflicts);
          if (awaited) update(event.agent, { waiting_for: awaited });
          return;
        }
        case 'locked':
          update(event.agent, { waiting_for: null });
          return;
        case 'restarting':
          update(event.agent, { status: 'restarting', ...exitFields(agent), restarts: agent?.restarts ?? event.attempt });
          return;
        case 'finished':
          update(event.agent, {
            status: finalStatus(event.outcome), ...exitFields(agent), pid: null, restarts: agent?.restarts ?? 0,
            waiting_for: null, ended_at: new Date().toISOString(), reason: endReason(event.outcome),
          });
          return;
        // The exit is written with what follows it (restarting or finished): one write, not two.
        case 'exited':
        case 'stopping':
        case 'renewed':
        case 'lease-lost':
        case 'run-stopping':
          return;
      }
    },
    async detach(run) {
      context = null;
      await flush(run);
      await run.store.flushBoard().catch(() => undefined);
    },
  };
}
