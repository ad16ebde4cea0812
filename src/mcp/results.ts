// Tool results as the model reads them: records as JSON text; a refusal as an isError result whose
// first text says what happened, who holds what and what to do next, followed by the records.

import type { ConflictRecord } from '../core/records.js';
import type { AcquireResult } from '../core/store.js';

export interface ToolResult {
  content: { type: 'text'; text: string }[];
  isError?: boolean;
}

/** A grant as its lock records; a refusal as an isError result naming each holder. */
export function acquired(result: AcquireResult, waitedMs: number, asked: string[] = []): ToolResult {
  if (result.granted) return records(`Locked for ${result.locks[0]?.agent_id ?? 'you'}: ${result.locks.map((l) => `${l.file_path} (${l.mode}, token ${l.token})`).join(', ')}. Call unlock when you are done.`, result.locks);
  if (result.reason === 'aborted') return problem('cancelled while waiting: nothing was locked');
  const head = result.reason === 'timeout' ? `still held after waiting ${waitedMs} ms: nothing was locked.` : 'not locked: another agent holds or awaits these paths.';
  const lines = result.conflicts.map(conflictLine);
  const next = asked.length
    ? `Asked ${asked.join(', ')} to hand them over. Work on something else and try again later, or call request_handoff with wait_ms to wait in line.`
    : 'Do not edit these files. Work on something else and try again later, call request_handoff to ask the holder, or call lock with wait_ms to wait in line.';
  return { isError: true, content: [text([head, ...lines, next].join('\n')), json(result.conflicts)] };
}

function conflictLine(c: ConflictRecord): string {
  const who = c.locked_by ?? 'another agent';
  const held = c.lock_path ?? c.file_path;
  const role = c.queued ? `${who} is earlier in line for ${held}` : `${who} holds ${held}`;
  const since = c.since ? ` since ${c.since}` : '';
  const overlap = held !== c.file_path ? ` (overlaps ${c.file_path}${c.witness && c.witness !== c.file_path ? `, e.g. ${c.witness}` : ''})` : '';
  return `- ${c.file_path}: ${role}${since}${overlap}`;
}

/**
 * A sentence for the model, then the records as JSON text. The sentence comes first on purpose:
 * Gemini CLI parses a first text that is JSON into structuredContent and refuses a list there.
 */
export function records(summary: string, value: unknown): ToolResult {
  return { content: [text(summary), json(value)] };
}

export function problem(message: string): ToolResult {
  return { isError: true, content: [text(message)] };
}

export function json(value: unknown): { type: 'text'; text: string } {
  return text(JSON.stringify(value, null, 2));
}

export function text(value: string): { type: 'text'; text: string } {
  return { type: 'text', text: value };
}
