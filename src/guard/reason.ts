// The words of a block: which path, who holds it (lock, mode, since when) and the command that asks
// the holder for it. Read by the model that tried the edit, so it says what to do next.

import type { ConflictRecord, LockRecord } from '../core/records.js';
import { shellQuote } from './shell-quote.js';

export interface BlockedPath {
  /** The literal path, relative to root. */
  path: string;
  conflict: ConflictRecord;
}

export interface ReasonContext {
  agentId: string;
  /** Whether `send` needs `--from` (the identity did not come from AGENT_ID). */
  needsFrom: boolean;
  /** Live locks, to say whether the other agent holds the path or waits in line for it. */
  locks: LockRecord[];
  now?: number;
}

export function blockReason(blocked: BlockedPath[], ctx: ReasonContext): string {
  const lines = blocked.map((b) => `agentvisor guard: blocked the edit of ${b.path}: ${holderPhrase(b.conflict, ctx)}.`);
  const holders = [...new Set(blocked.map((b) => b.conflict.locked_by).filter((h): h is string => h !== null))];
  for (const holder of holders) {
    const paths = blocked.filter((b) => b.conflict.locked_by === holder).map((b) => b.path);
    lines.push(`Ask for it: ${handoffCommand(holder, paths, ctx)}`);
  }
  lines.push('Until it is released, do not write this file by other means; work on something else or wait.');
  return `${lines.join('\n')}\n`;
}

function holderPhrase(conflict: ConflictRecord, ctx: ReasonContext): string {
  const holder = conflict.locked_by ?? 'another agent';
  const lock = conflict.lock_path ?? conflict.file_path;
  const held = ctx.locks.find((l) => l.agent_id === conflict.locked_by && l.file_path === conflict.lock_path);
  const since = conflict.since ? ` since ${conflict.since}, ${age(conflict.since, ctx.now ?? Date.now())} ago` : '';
  if (!held && ctx.locks.length > 0) return `agent "${holder}" is waiting in line for ${lock}, ahead of you${since}`;
  const mode = held?.mode ?? conflict.mode ?? 'exclusive';
  return `agent "${holder}" holds it (${mode} lock on ${lock}${since})`;
}

function handoffCommand(holder: string, paths: string[], ctx: ReasonContext): string {
  const from = ctx.needsFrom ? ` --from ${shellQuote(ctx.agentId)}` : '';
  const message = `${ctx.agentId} needs ${paths.join(', ')}: please release it when you can`;
  return `agentvisor send ${shellQuote(holder)} --type handoff${from} ${shellQuote(message)}`;
}

function age(iso: string, now: number): string {
  const ms = Math.max(0, now - Date.parse(iso));
  if (!Number.isFinite(ms)) return '?';
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m`;
  return `${Math.round(ms / 3_600_000)}h`;
}
