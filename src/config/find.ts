// Which agents.config.json a command means: --config F (relative to cwd), else the nearest one
// from cwd upward, else the one at AGENTVISOR_ROOT (an agent running in a folder of its own).

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_FILE } from '../core/location.js';

export interface FindConfigInput {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** --config, when given: used as is, even if missing (loading then says "not found"). */
  config?: string;
}

/** The config file's absolute path, or null when there is none to find. */
export function findConfigFile({ cwd, env, config }: FindConfigInput): string | null {
  if (config !== undefined) return resolve(cwd, config);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  if (env.AGENTVISOR_ROOT) {
    const candidate = resolve(cwd, env.AGENTVISOR_ROOT, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** What to tell a user when there is no config to find. */
export function noConfigMessage(cwd: string): string {
  return `no ${CONFIG_FILE} in ${cwd} or any folder above it; pass --config F, or create one with \`agentvisor init\``;
}
