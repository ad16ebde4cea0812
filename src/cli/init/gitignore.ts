// init's writer of the .gitignore line for the coordination dir (lock files, board, inboxes and
// logs are run-time state, never to be committed). Adds the line once; creates .gitignore if missing.

import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { InitPlan, InitWriter } from './writer.js';

/** The .gitignore line for a coordination dir inside root (`data/.agent_locks/`), or null outside it. */
export function ignoreLine(root: string, dir: string): string | null {
  const rel = relative(root, dir);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return `${rel.split(sep).join('/')}/`;
}

/** Whether .gitignore text already ignores the folder (with or without a leading or trailing `/`). */
export function alreadyIgnored(text: string, line: string): boolean {
  const bare = line.replace(/^\/|\/$/g, '');
  return text.split(/\r?\n/).some((l) => l.trim().replace(/^\/|\/$/g, '') === bare);
}

export const gitignore: InitWriter = {
  name: 'gitignore',
  plan({ root, dir }): InitPlan {
    const file = join(root, '.gitignore');
    const line = ignoreLine(root, dir);
    if (line === null) return { kind: 'skip', file, reason: `the coordination dir ${dir} is outside the project; .gitignore left alone` };
    const text = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (text !== undefined && alreadyIgnored(text, line)) return { kind: 'skip', file, reason: `.gitignore already ignores ${line}` };
    const prefix = text === undefined || text === '' || text.endsWith('\n') ? '' : '\n';
    return {
      kind: 'write',
      file,
      done: `${text === undefined ? 'created .gitignore with' : 'added'} ${line}${text === undefined ? '' : ' to .gitignore'}`,
      apply: () => appendFileSync(file, `${prefix}${line}\n`),
    };
  },
};
