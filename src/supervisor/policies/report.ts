// agentvisor's own log lines about the run: one per lifecycle event, exhaustively. Waiting is never
// silent (the store calls back at least every 10 s); a lost lease is said loudly.

import type { ConflictRecord } from '../../core/records.js';
import { describeExit, describeStopCause, describeStopReason, type AgentEvent, type AgentOutcome } from '../events.js';
import type { Policy, RunContext } from '../policy.js';

function describeConflict(c: ConflictRecord): string {
  const holder = c.locked_by ?? 'someone';
  const since = c.since ? ` since ${c.since.slice(11, 19)}` : '';
  const held = c.lock_path && c.lock_path !== c.file_path ? ` (${holder} holds ${c.lock_path}${since})` : ` (held by ${holder}${since})`;
  return `${c.file_path}${held}`;
}

export function describeOutcome(outcome: AgentOutcome): string {
  switch (outcome.kind) {
    case 'succeeded':
      return 'exit 0';
    case 'failed':
      return `failed: ${describeExit(outcome.exit)}`;
    case 'timed-out':
      return `timed out after ${outcome.timeoutMs} ms`;
    case 'lease-lost':
      return `lost its lease on ${outcome.paths.join(', ') || 'its locks'}`;
    case 'lock-conflict':
      return `lock conflict: ${outcome.conflicts.map(describeConflict).join('; ')}`;
    case 'lock-timeout':
      return `gave up waiting for ${outcome.conflicts.map(describeConflict).join('; ') || 'its locks'}`;
    case 'skipped':
      return `skipped: ${outcome.dependency} did not succeed`;
    case 'stopped':
      return `stopped (${describeStopReason(outcome.reason)})`;
  }
}

function logEvent(event: AgentEvent, run: RunContext): void {
  const { log } = run;
  switch (event.type) {
    case 'waiting-for-locks': {
      const what = event.conflicts.map(describeConflict).join('; ');
      log.info({ agent: event.agent, conflicts: event.conflicts, waitedMs: event.waitedMs }, `waiting for ${what}${event.waitedMs >= 1000 ? ` (${Math.round(event.waitedMs / 1000)} s so far)` : ''}`);
      return;
    }
    case 'waiting-for-agent':
      if (event.why === 'owns') log.info({ agent: event.agent, on: event.on }, `waiting for ${event.on} to take its locks first (their owns overlap; config order)`);
      else log.debug({ agent: event.agent, on: event.on }, `waiting for ${event.on} (dependsOn)`);
      return;
    case 'locked':
      log.info({ agent: event.agent, locks: event.locks.map((l) => l.file_path) }, `locked ${event.locks.map((l) => (l.mode === 'shared' ? `${l.file_path} (shared)` : l.file_path)).join(', ')}`);
      return;
    case 'started':
      log.info({ agent: event.agent, agent_pid: event.pid, attempt: event.attempt + 1 }, `started (pid ${event.pid}${event.attempt > 0 ? `, restart ${event.attempt}` : ''})`);
      return;
    case 'exited': {
      const ok = event.exit.code === 0;
      log[ok ? 'info' : 'warn']({ agent: event.agent, exit_code: event.exit.code, signal: event.exit.signal, durationMs: event.durationMs }, `${describeExit(event.exit)} after ${(event.durationMs / 1000).toFixed(1)} s`);
      return;
    }
    case 'restarting':
      log.warn({ agent: event.agent, attempt: event.attempt, delayMs: event.delayMs }, `restarting in ${event.delayMs} ms (restart ${event.attempt} of ${run.agents.get(event.agent)?.spec.maxRestarts ?? '?'}); its locks stay held`);
      return;
    case 'stopping':
      log.info({ agent: event.agent }, `stopping (${describeStopCause(event.cause)})`);
      return;
    case 'renewed':
      return;
    case 'lease-lost':
      log.error({ agent: event.agent, paths: event.paths }, `LOST ITS LOCKS: ${event.why}. Stopping ${event.agent}: it no longer owns its files`);
      return;
    case 'finished': {
      // A plain success was already said by `exited`.
      const level = event.outcome.kind === 'succeeded' ? 'debug' : event.outcome.kind === 'stopped' ? 'info' : 'warn';
      log[level]({ agent: event.agent, outcome: event.outcome.kind }, describeOutcome(event.outcome));
      return;
    }
    case 'run-stopping':
      log.warn({ reason: event.reason.kind }, `stopping every agent: ${describeStopReason(event.reason)}`);
      return;
  }
}

export function report(): Policy {
  return { name: 'report', notify: logEvent };
}
