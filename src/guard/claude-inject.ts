// Wiring the guard into a `claude ...` agent command without touching any file in the repository:
// `claude --settings '<json>'` adds a PreToolUse hook for the file-writing tools (Claude Code merges
// hook arrays from --settings with the project's own settings). Other programs are left unchanged.

import { basename } from 'node:path';
import { blockingHookCommand, CLAUDE_MATCHER, HOOK_TIMEOUT_S } from './hook-command.js';
import { shellQuote } from './shell-quote.js';

export interface ClaudeInjectOptions {
  /** The shell command that runs the guard, e.g. `agentvisor guard` (see defaultGuardCommand). */
  guardCommand: string;
}

/** The `--settings` value: a PreToolUse hook running the guard before every file write. */
export function claudeGuardSettings(guardCommand: string): string {
  return JSON.stringify({
    hooks: {
      PreToolUse: [
        {
          matcher: CLAUDE_MATCHER,
          hooks: [{ type: 'command', command: blockingHookCommand(guardCommand), timeout: HOOK_TIMEOUT_S }],
        },
      ],
    },
  });
}

/** Adds `--settings <guard hook>` right after the program when the command runs `claude`. */
export function injectClaudeGuard(command: string | string[], options: ClaudeInjectOptions): string | string[] {
  const settings = claudeGuardSettings(options.guardCommand);
  if (Array.isArray(command)) return injectIntoArgv(command, settings);
  return injectIntoShell(command, settings);
}

function isClaude(program: string): boolean {
  return basename(program) === 'claude';
}

function injectIntoArgv(argv: string[], settings: string): string[] {
  const [program, ...rest] = argv;
  if (program === undefined || !isClaude(program) || argv.includes(settings)) return argv;
  return [program, '--settings', settings, ...rest];
}

// Leading `VAR=value` assignments, an optional `exec`, then the program word (bare or quoted).
const SHELL_PROGRAM = /^(\s*(?:[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|[^\s'"]*)\s+)*(?:exec\s+)?)('[^']*'|"[^"]*"|[^\s'"|;&<>()]+)/;

function injectIntoShell(command: string, settings: string): string {
  const quoted = shellQuote(settings);
  if (command.includes(quoted)) return command;
  const match = SHELL_PROGRAM.exec(command);
  if (!match) return command;
  const [whole, prefix = '', word = ''] = match;
  const program = word.startsWith("'") || word.startsWith('"') ? word.slice(1, -1) : word;
  if (!isClaude(program)) return command;
  return `${prefix}${word} --settings ${quoted}${command.slice(whole.length)}`;
}
