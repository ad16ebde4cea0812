// TEMPORARY stand-ins for src/core/paths.ts and src/core/glob (being written by other engineers):
// removed when they land. Crude on purpose.

import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { AgentvisorError } from '../core/errors.js';

export interface Pattern {
  readonly source: string;
}

export function normaliseLockPath(input: string, where: { root: string; cwd: string }): { path: string; directory: boolean } {
  const abs = resolve(where.cwd, input);
  const rel = relative(where.root, abs).split('\\').join('/');
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new AgentvisorError('PATH_OUTSIDE_ROOT', `lock path ${JSON.stringify(input)} leaves the project root`, { path: input });
  }
  if (/[[]{2}:|^!|[+@!?*]\(/.test(input)) throw new AgentvisorError('INVALID_GLOB', `invalid glob ${JSON.stringify(input)}`, { path: input });
  const directory = existsSync(abs) && statSync(abs).isDirectory() && !/[*?[{]/.test(input);
  const base = rel === '' ? '**' : rel;
  return { path: directory || input.endsWith('/') ? `${base.replace(/\/$/, '')}/**` : base, directory };
}

export function parsePattern(source: string): Pattern {
  return { source };
}

export function overlapWitness(a: Pattern, b: Pattern): string | null {
  const pa = literalPrefix(a.source);
  const pb = literalPrefix(b.source);
  const aGlob = pa !== a.source;
  const bGlob = pb !== b.source;
  if (!aGlob && !bGlob) return a.source === b.source ? a.source : null;
  if (aGlob && b.source.startsWith(pa)) return bGlob ? `${pb}x` : b.source;
  if (bGlob && a.source.startsWith(pb)) return aGlob ? `${pa}x` : a.source;
  return null;
}

function literalPrefix(source: string): string {
  const i = source.search(/[*?[{]/);
  return i < 0 ? source : source.slice(0, i);
}
