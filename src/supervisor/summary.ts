// The run's result: per-agent outcomes and the exit code by the contract's order (3 lock conflict,
// 124 --timeout, 130/143 signal, 1 an agent failed, 0), and the summary table printed at the end.

import type { AgentProcess } from './agent-process.js';
import type { LockMode } from '../core/records.js';
import { isFailure, shellExitCode, type AgentOutcome, type StopReason } from './events.js';
import { describeOutcome } from './policies/report.js';

export interface AgentReport {
  id: string;
  outcome: AgentOutcome;
  /** What the summary's "exit" column says (`0`, `1`, `SIGKILL`, `skipped`, ...). */
  exit: string;
  exitCode: number | null;
  signal: string | null;
  durationMs: number | null;
  restarts: number;
  changed: string[];
  allowFailure: boolean;
  detail: string;
}

export interface UnownedChange {
  path: string;
  lockedBy: string | null;
  /** The live lock's path that covers it, and since when it is held (null without such a lock). */
  lockPath: string | null;
  /** That lock's mode: `shared` is a `reads` lock, which never allows a write. */
  mode?: LockMode | null;
  since: string | null;
  /** Who wrote it, where known: the one agent running then that covered it only to read. */
  writer?: string | null;
  at: string;
}

export interface RunResult {
  exitCode: number;
  stopReason: StopReason | null;
  agents: AgentReport[];
  unowned: UnownedChange[];
}

export function agentReport(agent: AgentProcess): AgentReport {
  const outcome = agent.state.kind === 'finished' ? agent.state.outcome : ({ kind: 'stopped', reason: { kind: 'aborted' }, exit: null } as const);
  const exit = agent.lastExit;
  return {
    id: agent.id,
    outcome,
    exit: exitColumn(outcome, exit),
    exitCode: exit?.code ?? null,
    signal: exit?.signal ?? null,
    durationMs: agent.firstStartedAt !== null && agent.finishedAt !== null ? agent.finishedAt - agent.firstStartedAt : null,
    restarts: agent.restarts,
    changed: [...agent.changed].sort(),
    allowFailure: agent.spec.allowFailure,
    detail: describeOutcome(outcome) + storyOf(agent),
  };
}

/** What else happened to it that a reader of the summary wants to know. */
function storyOf(agent: AgentProcess): string {
  const parts: string[] = [];
  if (agent.waited) parts.push(`waited ${(agent.waited.ms / 1000).toFixed(1)} s for ${agent.waited.holders.join(', ')}`);
  if (agent.restarts > 0 && agent.state.kind === 'finished' && agent.state.outcome.kind === 'succeeded') {
    parts.push(`succeeded after ${agent.restarts} restart${agent.restarts === 1 ? '' : 's'}`);
  }
  return parts.length > 0 ? `; ${parts.join('; ')}` : '';
}

function exitColumn(outcome: AgentOutcome, exit: AgentProcess['lastExit']): string {
  if (outcome.kind === 'skipped') return 'skipped';
  if (outcome.kind === 'lock-conflict' || outcome.kind === 'lock-timeout') return 'not started';
  if (exit === null) return outcome.kind === 'stopped' ? 'not started' : '-';
  if (exit.signal) return exit.signal;
  return String(exit.code ?? shellExitCode(exit));
}

export function runExitCode(reports: AgentReport[], stopReason: StopReason | null): number {
  if (reports.some((r) => r.outcome.kind === 'lock-conflict' || r.outcome.kind === 'lock-timeout')) return 3;
  if (stopReason?.kind === 'run-timeout') return 124;
  if (stopReason?.kind === 'signal') return stopReason.signal === 'SIGINT' ? 130 : 143;
  if (stopReason?.kind === 'watchdog-lost') return 1;
  if (reports.some((r) => isFailure(r.outcome) && !r.allowFailure)) return 1;
  return 0;
}

function duration(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function filesColumn(changed: string[]): string {
  if (changed.length === 0) return '-';
  const shown = changed.slice(0, 3).join(', ');
  return changed.length > 3 ? `${shown} +${changed.length - 3} more` : shown;
}

/** One write outside ownership: the file, who wrote it where known, and what covered it. */
export function describeUnowned(u: UnownedChange): string {
  const by = u.writer ? ` by ${u.writer}` : '';
  if (u.lockedBy && u.lockPath && u.mode === 'shared') {
    const whose = u.writer === u.lockedBy ? 'its' : `${u.lockedBy}'s`;
    return `${u.path}${by}, under ${whose} shared lock ${u.lockPath} (reads: for reading only)`;
  }
  if (u.lockedBy && u.lockPath) return `${u.path}${by}, owned by ${u.lockedBy} (${u.lockPath}), which was not running then`;
  return `${u.path}${by}, owned by nobody`;
}

/** The summary as a plain-text table (what a person reads at the end of a run). */
export function formatSummary(result: RunResult): string {
  const header = ['agent', 'exit', 'duration', 'restarts', 'files changed', 'outcome'];
  const rows = result.agents.map((r) => [
    r.id,
    r.exit,
    duration(r.durationMs),
    String(r.restarts),
    filesColumn(r.changed),
    r.detail + (r.allowFailure && isFailure(r.outcome) ? ' (allowed to fail)' : ''),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (result.unowned.length > 0) {
    out.push('', `writes outside ownership (${result.unowned.length}): files changed that no running agent owned`);
    for (const u of result.unowned.slice(0, 20)) out.push(`  ${describeUnowned(u)}`);
    if (result.unowned.length > 20) out.push(`  ... and ${result.unowned.length - 20} more`);
  }
  out.push('', `exit code ${result.exitCode}`);
  return `${out.join('\n')}\n`;
}
