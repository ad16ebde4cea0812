// Which agent client a command runs, and adding arguments right after its program word, for an argv
// array or a shell string (leading `VAR=value` assignments and `exec` are kept): the one place that
// reads agents' command lines.

import { basename } from 'node:path';
import { shellQuote } from '../shell-quote.js';

export type ClientName = 'claude' | 'codex' | 'gemini';

const CLIENTS: readonly ClientName[] = ['claude', 'codex', 'gemini'];

// Leading `VAR=value` assignments, an optional `exec`, then the program word (bare or quoted).
const SHELL_PROGRAM = /^(\s*(?:[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|[^\s'"]*)\s+)*(?:exec\s+)?)('[^']*'|"[^"]*"|[^\s'"|;&<>()]+)/;

/** The client whose program the command starts (by the program's file name), or null. */
export function clientOf(command: string | string[]): ClientName | null {
  const program = Array.isArray(command) ? command[0] : shellProgram(command)?.program;
  if (program === undefined) return null;
  const name = basename(program);
  return CLIENTS.find((c) => c === name) ?? null;
}

/** The command with `args` right after its program word (a shell string gets them quoted). */
export function withArgsAfterProgram(command: string | string[], args: readonly string[]): string | string[] {
  if (args.length === 0) return command;
  if (Array.isArray(command)) {
    const [program, ...rest] = command;
    return program === undefined ? command : [program, ...args, ...rest];
  }
  const found = shellProgram(command);
  if (!found) return command;
  return `${found.prefix}${found.word} ${args.map(shellQuote).join(' ')}${command.slice(found.end)}`;
}

function shellProgram(command: string): { prefix: string; word: string; program: string; end: number } | null {
  const match = SHELL_PROGRAM.exec(command);
  if (!match) return null;
  const [whole, prefix = '', word = ''] = match;
  const program = word.startsWith("'") || word.startsWith('"') ? word.slice(1, -1) : word;
  return { prefix, word, program, end: whole.length };
}
