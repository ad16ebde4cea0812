// Which command a written hook runs to reach the guard: --guard-command when given; else the
// project's own node_modules/.bin/agentvisor (through the client's project-dir variable where it
// has one, so the file can be committed); else this very installation, by absolute path.

import { existsSync } from 'node:fs';
import type { OptionSpec } from '../../cli/command.js';
import { join } from 'node:path';
import { defaultGuardCommand } from '../hook-command.js';
import { shellQuote } from '../shell-quote.js';

export interface GuardCommandInput {
  root: string;
  /** --guard-command: a command that runs `agentvisor guard` (flags are appended to it). */
  given: string | undefined;
  /** The client's variable holding the project dir (CLAUDE_PROJECT_DIR, GEMINI_PROJECT_DIR), if any. */
  projectDirVariable?: string;
}

export function guardCommandFor({ root, given, projectDirVariable }: GuardCommandInput): string {
  if (given !== undefined && given.trim() !== '') return given.trim();
  const local = join(root, 'node_modules', '.bin', 'agentvisor');
  if (!existsSync(local)) return defaultGuardCommand();
  if (projectDirVariable) return `"$${projectDirVariable}"/node_modules/.bin/agentvisor guard`;
  return `${shellQuote(local)} guard`;
}

/** Whether a hook command is (an earlier version of) agentvisor's guard hook. */
export function isGuardHookCommand(command: string): boolean {
  return /(agentvisor|cli\/bin\.js)['"]?\s+guard\b/.test(command) && !/--git-staged/.test(command);
}

/** The option every hook writer accepts (init merges identical options). */
export const GUARD_COMMAND_OPTION: Record<string, OptionSpec> = {
  'guard-command': {
    type: 'string',
    valueName: 'CMD',
    description: "Command the hooks run to reach the guard (default: the project's node_modules/.bin/agentvisor, else this installation)",
  },
};
