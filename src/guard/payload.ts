// Recognising a hook payload by its shape and extracting every path the tool would write, as the
// client gave them (absolute, or relative to the payload's cwd). One parser per client; a tool that
// writes no file yields no paths. A file-writing tool whose path cannot be read is an error, since
// guessing would let an edit through.

import { AgentvisorError } from '../core/errors.js';
import { looksLikePatch, patchPaths } from './apply-patch.js';

export type Client = 'claude' | 'codex' | 'gemini' | 'other';

export interface HookRequest {
  client: Client;
  /** The hook event, e.g. PreToolUse or BeforeTool (null when absent). */
  event: string | null;
  tool: string | null;
  /** The session's working directory: relative paths resolve against it. */
  cwd: string | null;
  sessionId: string | null;
  /** Every path the tool would write, as given (literal: `app/[id]/page.tsx` is that file). */
  paths: string[];
}

type Json = Record<string, unknown>;

const CLAUDE_TOOLS: Record<string, readonly string[]> = {
  Write: ['file_path'],
  Edit: ['file_path'],
  MultiEdit: ['file_path'],
  NotebookEdit: ['notebook_path'],
};
const GEMINI_TOOLS: Record<string, readonly string[]> = {
  write_file: ['file_path', 'absolute_path', 'path'],
  replace: ['file_path', 'absolute_path', 'path'],
};
const PATCH_FIELDS = ['command', 'input', 'patch'] as const;

/** Parse the hook's stdin. Throws AgentvisorError INVALID_ARGUMENT naming what is wrong. */
export function parseHookPayload(text: string): HookRequest {
  if (text.trim() === '') fail('no hook JSON on stdin (guard is meant to run as a pre-tool hook)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail(`the hook input is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) fail('the hook input is not a JSON object');
  return recognise(value);
}

function recognise(payload: Json): HookRequest {
  const event = stringField(payload, 'hook_event_name');
  const tool = stringField(payload, 'tool_name');
  const input = isObject(payload.tool_input) ? payload.tool_input : {};
  const base = { event, tool, cwd: stringField(payload, 'cwd'), sessionId: stringField(payload, 'session_id') };
  if (tool !== null && event === 'BeforeTool') {
    const fields = GEMINI_TOOLS[tool];
    return { ...base, client: 'gemini', paths: fields ? [requiredPath(input, fields, tool)] : [] };
  }
  if (tool !== null && Object.hasOwn(CLAUDE_TOOLS, tool)) {
    return { ...base, client: 'claude', paths: [requiredPath(input, CLAUDE_TOOLS[tool]!, tool)] };
  }
  const patch = patchText(input);
  if (tool === 'apply_patch') {
    if (patch === null) fail('apply_patch hook input has no patch text in tool_input.command');
    return { ...base, client: 'codex', paths: requiredPatchPaths(patch) };
  }
  // A shell tool running apply_patch through a heredoc writes the same files.
  if (patch !== null && looksLikePatch(patch)) return { ...base, client: 'other', paths: requiredPatchPaths(patch) };
  return { ...base, client: 'other', paths: [] };
}

function requiredPatchPaths(patch: string): string[] {
  const paths = patchPaths(patch);
  if (paths.length === 0 && looksLikePatch(patch)) fail('the apply_patch patch names no file (no *** Add/Update/Delete File line)');
  return paths;
}

function patchText(input: Json): string | null {
  for (const field of PATCH_FIELDS) {
    const value = input[field];
    if (typeof value === 'string') return value;
  }
  return null;
}

function requiredPath(input: Json, fields: readonly string[], tool: string): string {
  for (const field of fields) {
    const value = input[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return fail(`${tool} hook input has no tool_input.${fields[0]}: cannot tell which file it writes`);
}

function stringField(payload: Json, name: string): string | null {
  const value = payload[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(message: string): never {
  throw new AgentvisorError('INVALID_ARGUMENT', `guard: ${message}`);
}
