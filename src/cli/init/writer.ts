// What `agentvisor init` is made of: a list of writers, each planning one file (the starter
// config, the .gitignore line, later hook configs for Claude Code, Codex, Gemini CLI and git).
// init plans every enabled writer first and writes nothing if any plan is refused, so a refusal
// never leaves half an init behind.

import type { OptionSpec, ParsedArgs } from '../command.js';

export interface InitContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  args: ParsedArgs;
  /** The project root (AGENTVISOR_ROOT, else the folder of the config being written). */
  root: string;
  /** The agents.config.json to write (absolute). */
  configFile: string;
  /** The coordination dir (absolute). */
  dir: string;
  /** --force: overwrite what exists. */
  force: boolean;
}

export type InitPlan =
  | { kind: 'write'; file: string; apply(): void; /** Said after writing, e.g. "wrote agents.config.json". */ done: string }
  | { kind: 'skip'; file: string; reason: string }
  | { kind: 'refuse'; file: string; reason: string };

export interface InitWriter {
  name: string;
  /** Options this writer adds to `init` (e.g. `claude: { type: 'boolean', ... }`). */
  options?: Record<string, OptionSpec>;
  /** Whether this writer runs for these arguments (default: always). */
  enabled?(ctx: InitContext): boolean;
  plan(ctx: InitContext): InitPlan;
}
