// Merging one guard hook into a client's JSON settings file (Claude Code, Codex and Gemini CLI share
// the `hooks.<Event>[] = {matcher, hooks: [{type: "command", command}]}` shape) without losing
// anything else: other settings, other hooks, key order. Refuses a file it cannot read as JSON.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Json = Record<string, unknown>;

export interface HookSpec {
  event: string;
  /** null: no matcher (every tool, or an event without matchers). */
  matcher: string | null;
  /** The hook object, e.g. {type: "command", command, timeout}. */
  hook: Json & { command: string };
  /** Whether an existing command is an earlier agentvisor guard hook (to update, not duplicate). */
  isOurs(command: string): boolean;
}

export type MergeResult =
  | { kind: 'unchanged' }
  | { kind: 'changed'; text: string; created: boolean }
  | { kind: 'invalid'; reason: string };

/** The file's new text with the hook in place, or why the file cannot be merged into. */
export function mergeHook(file: string, spec: HookSpec): MergeResult {
  return mergeSettings(file, [spec]);
}

/**
 * The file's new text with every hook in place and `patch` applied to the settings (other keys,
 * such as an MCP server; it returns the same object when it has nothing to change), or why the file
 * cannot be merged into.
 */
export function mergeSettings(file: string, specs: HookSpec[], patch: (settings: Json) => Json = (s) => s): MergeResult {
  const existed = existsSync(file);
  let settings: unknown = {};
  if (existed) {
    const text = readFileSync(file, 'utf8');
    try {
      settings = text.trim() === '' ? {} : JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (error) {
      return { kind: 'invalid', reason: `${file} is not valid JSON (${(error as Error).message}); fix it by hand, it was left untouched` };
    }
  }
  if (!isObject(settings)) return { kind: 'invalid', reason: `${file} does not hold a JSON object; it was left untouched` };
  let merged: Json = settings;
  let changed = false;
  for (const spec of specs) {
    const hooks = merged.hooks ?? {};
    if (!isObject(hooks)) return { kind: 'invalid', reason: `${file}: "hooks" is not an object; it was left untouched` };
    const entries = hooks[spec.event] ?? [];
    if (!Array.isArray(entries)) return { kind: 'invalid', reason: `${file}: "hooks.${spec.event}" is not an array; it was left untouched` };
    const placed = placeHook(entries, spec);
    if (placed === 'same') continue;
    merged = { ...merged, hooks: { ...hooks, [spec.event]: placed } };
    changed = true;
  }
  const patched = patch(merged);
  if (!changed && patched === merged) return { kind: 'unchanged' };
  return { kind: 'changed', text: `${JSON.stringify(patched, null, 2)}\n`, created: !existed };
}

/** The event's entries with our hook added or updated; 'same' when it is already there as wanted. */
function placeHook(entries: unknown[], spec: HookSpec): unknown[] | 'same' {
  for (const [i, entry] of entries.entries()) {
    if (!isObject(entry) || !Array.isArray(entry.hooks)) continue;
    const j = entry.hooks.findIndex((h) => isObject(h) && typeof h.command === 'string' && (h.command === spec.hook.command || spec.isOurs(h.command)));
    if (j < 0) continue;
    const current = entry.hooks[j] as Json;
    if ((entry.matcher ?? null) === spec.matcher && sameHook(current, spec.hook)) return 'same';
    const updatedHooks = entry.hooks.map((h, k) => (k === j ? { ...current, ...spec.hook } : h));
    return entries.map((e, k) => (k === i ? { ...withMatcher(entry, spec.matcher), hooks: updatedHooks } : e));
  }
  return [...entries, { ...withMatcher({}, spec.matcher), hooks: [spec.hook] }];
}

function withMatcher(entry: Json, matcher: string | null): Json {
  const { matcher: _old, ...rest } = entry;
  return matcher === null ? rest : { matcher, ...rest };
}

function sameHook(a: Json, b: Json): boolean {
  return Object.entries(b).every(([k, v]) => a[k] === v);
}

/** Write through a temp file and a rename, so a reader never sees half a settings file. */
export function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.agentvisor-${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
