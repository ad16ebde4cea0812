// Where things are (contract "Words"): the root is AGENTVISOR_ROOT, else the folder of --config,
// else the nearest folder upward holding agents.config.json, else the git top level, else the
// current folder; the coordination dir is --dir, else AGENTVISOR_DIR, else <root>/data/.agent_locks.
// Cheap on purpose: hot paths (lock, guard) call it.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const CONFIG_FILE = 'agents.config.json';
export const DEFAULT_COORDINATION_SUBDIR = join('data', '.agent_locks');

export interface LocationInput {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** --config, when given. */
  configPath?: string;
}

/** The nearest folder from `start` upward that holds `name`, or null. */
function findUpward(start: string, name: string): string | null {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, name))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export function findRoot({ cwd, env, configPath }: LocationInput): string {
  if (env.AGENTVISOR_ROOT) return resolve(cwd, env.AGENTVISOR_ROOT);
  if (configPath) return dirname(resolve(cwd, configPath));
  // `.git` is a folder in a clone and a file in a worktree: either marks the top level, without
  // spawning git.
  return findUpward(cwd, CONFIG_FILE) ?? findUpward(cwd, '.git') ?? resolve(cwd);
}

export interface CoordinationInput extends LocationInput {
  /** --dir, when given (relative to cwd). */
  dir?: string;
  /** The root, when the caller already found it. */
  root?: string;
}

export function coordinationDir(input: CoordinationInput): string {
  if (input.dir) return resolve(input.cwd, input.dir);
  if (input.env.AGENTVISOR_DIR) return resolve(input.cwd, input.env.AGENTVISOR_DIR);
  return join(input.root ?? findRoot(input), DEFAULT_COORDINATION_SUBDIR);
}
