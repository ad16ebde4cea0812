// `agentvisor init`: the writers of src/cli/init/ planned together, then written, or nothing
// written when one refuses (an existing config without --force). Another writer (hook configs
// for an agent client) is one more entry in WRITERS; its options join init's own.

import { resolve } from 'node:path';
import { coordinationDir, CONFIG_FILE, findRoot } from '../../core/location.js';
import { HOOK_WRITERS, hookFlagsGiven } from '../../guard/hook-config/index.js';
import { flag, stringOption } from '../args.js';
import type { CommandContext, CommandSpec, OptionSpec } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { gitignore } from '../init/gitignore.js';
import { starterConfig } from '../init/starter-config.js';
import type { InitContext, InitPlan, InitWriter } from '../init/writer.js';
import { warn, writeLines } from '../output.js';

/** In the order they run. */
export const WRITERS: readonly InitWriter[] = [starterConfig, gitignore, ...HOOK_WRITERS];

export const command: CommandSpec = {
  name: 'init',
  summary: 'Write a starter agents.config.json and ignore the coordination dir in .gitignore.',
  usage: 'init [--force] [--config F] [--claude] [--codex] [--gemini] [--git-hook] [--guard-command CMD]',
  details: `Writes agents.config.json in the current folder (two small agents to start from) and adds the
coordination dir (data/.agent_locks/) to .gitignore, creating it if needed. Nothing is written when
a file would be overwritten without --force.

--claude, --codex, --gemini and --git-hook write the guard hook into .claude/settings.json,
.codex/hooks.json, .gemini/settings.json or the git pre-commit hook instead of a starter config,
keeping every existing setting and hook; running them again changes nothing.

Exit codes: 0 written; 1 agents.config.json exists (use --force), or a hook config is not valid
JSON (left untouched).`,
  options: {
    force: { type: 'boolean', description: 'Overwrite an existing agents.config.json' },
    config: { type: 'string', valueName: 'F', description: `Where to write the config (default ./${CONFIG_FILE})` },
    ...writerOptions(WRITERS),
  },
  run,
};

function writerOptions(writers: readonly InitWriter[]): Record<string, OptionSpec> {
  return Object.assign({}, ...writers.map((w) => w.options ?? {})) as Record<string, OptionSpec>;
}

export function initContext(ctx: CommandContext): InitContext {
  const configFile = resolve(ctx.cwd, stringOption(ctx.args, 'config') ?? CONFIG_FILE);
  const root = findRoot({ cwd: ctx.cwd, env: ctx.env, configPath: configFile });
  const dir = coordinationDir({ cwd: ctx.cwd, env: ctx.env, root, dir: stringOption(ctx.args, 'dir') });
  return { cwd: ctx.cwd, env: ctx.env, args: ctx.args, root, configFile, dir, force: flag(ctx.args, 'force') };
}

async function run(ctx: CommandContext): Promise<number> {
  const init = initContext(ctx);
  // Hook flags (--claude, --codex, --gemini, --git-hook) ask for hooks only, not a starter config.
  const wanted = WRITERS.filter((w) => !(w === starterConfig && hookFlagsGiven(init)));
  const plans: InitPlan[] = wanted.filter((w) => w.enabled?.(init) ?? true).map((w) => w.plan(init));
  const refusals = plans.filter((p) => p.kind === 'refuse');
  if (refusals.length > 0) {
    for (const r of refusals) warn(ctx.stderr, r.reason);
    return EXIT.failure;
  }
  const lines: string[] = [];
  for (const plan of plans) {
    if (plan.kind === 'write') {
      plan.apply();
      lines.push(plan.done);
    } else if (plan.kind === 'skip') {
      lines.push(plan.reason);
    }
  }
  writeLines(ctx.stdout, lines);
  return EXIT.ok;
}
