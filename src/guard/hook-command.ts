// The guard hook as the agents' clients run it: the shell command (any failure turns into a block)
// and the tool matchers per client. Shared by `run` (claude --settings) and `init` (config files).

import { fileURLToPath } from 'node:url';
import { shellJoin } from './shell-quote.js';

/** Claude Code's file-writing tools. */
export const CLAUDE_MATCHER = 'Write|Edit|MultiEdit|NotebookEdit';
/** Codex's file-writing tool. */
export const CODEX_MATCHER = '^apply_patch$';
/** Gemini CLI's file-writing tools. */
export const GEMINI_MATCHER = 'write_file|replace';

/** Seconds a client waits for the guard: generous, since a timeout lets the edit through. */
export const HOOK_TIMEOUT_S = 60;

/** The guard as this very installation runs it: `'<node>' '<dist/cli/bin.js>' guard`. */
export function defaultGuardCommand(): string {
  const bin = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
  return shellJoin([process.execPath, bin, 'guard']);
}

/**
 * The shell command a hook runs. Clients let an edit through on any exit but 2 (a crash at load
 * exits 1, a missing binary 127), so every failure is turned into exit 2 here.
 */
export function blockingHookCommand(guardCommand: string): string {
  const trimmed = guardCommand.trim();
  if (/\|\|\s*exit\s+2\s*$/.test(trimmed)) return trimmed;
  return `${trimmed} || exit 2`;
}
