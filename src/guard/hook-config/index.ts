// The `init` writers for hook configs (--claude, --codex, --gemini, --git-hook) and the one option
// they share (--guard-command, declared by each). Given any of these flags, init writes those
// hooks (and the .gitignore line) but no starter config.

import type { InitContext, InitWriter } from '../../cli/init/writer.js';
import { claudeHook, codexHook, geminiHook } from './clients.js';
import { gitHook } from './git-hook.js';

export const HOOK_WRITERS: readonly InitWriter[] = [claudeHook, codexHook, geminiHook, gitHook];

const HOOK_FLAGS = ['claude', 'codex', 'gemini', 'git-hook'];

/** Whether init was asked for hook configs (then it leaves agents.config.json alone). */
export function hookFlagsGiven(ctx: InitContext): boolean {
  return HOOK_FLAGS.some((name) => ctx.args.values[name] === true);
}
