// One `init` writer per agent client: merge the guard hook into that client's JSON hook config.
// The three clients differ only in file, event, matcher, timeout unit and project-dir variable.

import { join, relative } from 'node:path';
import type { InitContext, InitPlan, InitWriter } from '../../cli/init/writer.js';
import { stringOption } from '../../cli/args.js';
import { blockingHookCommand } from '../hook-command.js';
import { GUARD_COMMAND_OPTION, guardCommandFor, isGuardHookCommand } from './guard-command.js';
import { mergeHook, writeAtomically } from './json-settings.js';

export interface ClientHook {
  /** The init flag, e.g. `claude`. */
  flag: string;
  client: string;
  /** The settings file, relative to root. */
  file: string;
  event: string;
  matcher: string;
  /** The hook's timeout field, in the client's own unit. */
  timeout: number;
  projectDirVariable?: string;
  /** Extra fields of the hook object (Gemini's `name`). */
  extra?: Record<string, string>;
  /** Said after writing: what else the user must do, if anything. */
  after?: (root: string) => string;
}

export function clientHookWriter(spec: ClientHook): InitWriter {
  return {
    name: spec.flag,
    options: {
      [spec.flag]: { type: 'boolean', description: `Write ${spec.client}'s hook config (${spec.file}) to run agentvisor guard` },
      ...GUARD_COMMAND_OPTION,
    },
    enabled: (ctx) => ctx.args.values[spec.flag] === true,
    plan: (ctx) => planClientHook(spec, ctx),
  };
}

export function planClientHook(spec: ClientHook, ctx: InitContext): InitPlan {
  const file = join(ctx.root, spec.file);
  const shown = relative(ctx.cwd, file) || file;
  const guard = guardCommandFor({ root: ctx.root, given: stringOption(ctx.args, 'guard-command'), projectDirVariable: spec.projectDirVariable });
  const command = blockingHookCommand(guard);
  const merged = mergeHook(file, {
    event: spec.event,
    matcher: spec.matcher,
    hook: { ...spec.extra, type: 'command', command, timeout: spec.timeout },
    isOurs: isGuardHookCommand,
  });
  if (merged.kind === 'invalid') return { kind: 'refuse', file, reason: merged.reason };
  if (merged.kind === 'unchanged') return { kind: 'skip', file, reason: `${shown} already runs agentvisor guard` };
  const verb = merged.created ? 'wrote' : 'added the agentvisor guard hook to';
  return {
    kind: 'write',
    file,
    done: `${verb} ${shown} (${spec.event} ${spec.matcher}: ${command})${spec.after ? `\n${spec.after(ctx.root)}` : ''}`,
    apply: () => writeAtomically(file, merged.text),
  };
}
