// Config problems: building them from a JSON path and printing them as `file: path: message`.

import { relative } from 'node:path';
import type { ConfigProblem } from './types.js';

export type JsonPath = readonly PropertyKey[];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `agents[1].owns[0]`, `env["A B"]`; the empty string for the document itself. */
export function formatJsonPath(path: JsonPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

export function problem(file: string, path: JsonPath | string, message: string): ConfigProblem {
  return { file, path: typeof path === 'string' ? path : formatJsonPath(path), message };
}

/** One line: the file (relative to `cwd` when inside it, with line:column when known), the JSON path, what is wrong. */
export function formatProblem(p: ConfigProblem, cwd?: string): string {
  const where = p.line === undefined ? '' : `:${p.line}:${p.column ?? 1}`;
  const file = `${displayFile(p.file, cwd)}${where}`;
  return p.path === '' ? `${file}: ${p.message}` : `${file}: ${p.path}: ${p.message}`;
}

export function displayFile(file: string, cwd?: string): string {
  if (cwd === undefined) return file;
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

/** A value as a message shows it: strings quoted, long values cut. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
