// The supervisor's vocabulary as tagged unions: why a run stops, how an agent ended, and the
// lifecycle notifications every policy may follow. A new kind fails to compile until handled.

import type { ConflictRecord, LockRecord } from '../core/records.js';
import type { AgentExit } from './spawn.js';

/** Why the whole run is stopping (the first reason decides the exit code with the contract's order). */
export type StopReason =
  | { kind: 'signal'; signal: 'SIGINT' | 'SIGTERM' }
  | { kind: 'run-timeout'; timeoutMs: number }
  | { kind: 'lock-failure'; agent: string }
  | { kind: 'kill-others'; agent: string }
  /** The watchdog died and could not be replaced: agents would outlive a killed supervisor. */
  | { kind: 'watchdog-lost'; why: string }
  | { kind: 'aborted' }
  /** One agent only, never the whole run: a person stopped it (the dashboard). */
  | { kind: 'requested'; by: string };

/** Why one agent is being stopped by the supervisor. */
export type StopCause =
  | { kind: 'run'; reason: StopReason }
  | { kind: 'timed-out'; timeoutMs: number }
  | { kind: 'lease-lost'; paths: string[] }
  | { kind: 'requested'; by: string };

/** How an agent ended, once and for all (after any restarts). */
export type AgentOutcome =
  | { kind: 'succeeded' }
  | { kind: 'failed'; exit: AgentExit }
  | { kind: 'timed-out'; timeoutMs: number; exit: AgentExit }
  | { kind: 'lease-lost'; paths: string[]; exit: AgentExit }
  | { kind: 'lock-conflict'; conflicts: ConflictRecord[] }
  | { kind: 'lock-timeout'; conflicts: ConflictRecord[] }
  | { kind: 'skipped'; dependency: string }
  | { kind: 'stopped'; reason: StopReason; exit: AgentExit | null };

/** Lifecycle notifications, in the order they happen for one agent. */
export type AgentEvent =
  | { type: 'waiting-for-locks'; agent: string; conflicts: ConflictRecord[]; waitedMs: number }
  /** Waiting for another agent before asking for locks: `owns` (theirs overlap: config order) or `dependsOn`. */
  | { type: 'waiting-for-agent'; agent: string; on: string; why: 'owns' | 'dependsOn' }
  | { type: 'locked'; agent: string; locks: LockRecord[] }
  | { type: 'started'; agent: string; pid: number; attempt: number }
  | { type: 'exited'; agent: string; exit: AgentExit; durationMs: number }
  | { type: 'restarting'; agent: string; attempt: number; delayMs: number }
  | { type: 'stopping'; agent: string; cause: StopCause }
  /** Its locks were renewed (the watchdog's countdown runs from the last of these). */
  | { type: 'renewed'; agent: string }
  | { type: 'lease-lost'; agent: string; paths: string[]; why: string }
  | { type: 'finished'; agent: string; outcome: AgentOutcome }
  | { type: 'run-stopping'; reason: StopReason };

/** Failures that fail the run (exit 1) unless the agent allows failure. */
export function isFailure(outcome: AgentOutcome): boolean {
  switch (outcome.kind) {
    case 'succeeded':
    case 'stopped':
      return false;
    case 'failed':
    case 'timed-out':
    case 'lease-lost':
    case 'lock-conflict':
    case 'lock-timeout':
    case 'skipped':
      return true;
  }
}

/** The exit as a shell reports it: the code, or 128 + the signal's number. */
export function shellExitCode(exit: AgentExit): number {
  if (exit.code !== null) return exit.code;
  if (exit.signal) return 128 + (SIGNAL_NUMBERS[exit.signal] ?? 0);
  return exit.error ? 127 : 1;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
};

export function describeExit(exit: AgentExit | null): string {
  if (exit === null) return 'not started';
  if (exit.error) return exit.error;
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exit ${exit.code}`;
}

export function describeStopReason(reason: StopReason): string {
  switch (reason.kind) {
    case 'signal':
      return `received ${reason.signal}`;
    case 'run-timeout':
      return `--timeout of ${reason.timeoutMs} ms reached`;
    case 'lock-failure':
      return `agent ${reason.agent} could not take its locks`;
    case 'kill-others':
      return `agent ${reason.agent} failed (--kill-others-on-fail)`;
    case 'watchdog-lost':
      return `the watchdog ${reason.why} and could not be replaced`;
    case 'aborted':
      return 'aborted by the caller';
    case 'requested':
      return `stopped by ${reason.by}`;
  }
}

export function describeStopCause(cause: StopCause): string {
  switch (cause.kind) {
    case 'run':
      return describeStopReason(cause.reason);
    case 'timed-out':
      return `its timeout of ${cause.timeoutMs} ms`;
    case 'lease-lost':
      return 'lost lease';
    case 'requested':
      return `asked by ${cause.by}`;
  }
}
