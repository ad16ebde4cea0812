// Configs written into throwaway project folders and loaded as `run` would load them.

import { join } from 'node:path';
import { loadConfig, type LoadResult } from '../../src/config/load.js';
import { formatProblem } from '../../src/config/problems.js';
import { testDir, type Tree } from '../helpers/tempdir.js';

export interface Loaded extends LoadResult {
  root: string;
  /** Every problem as the CLI prints it, relative to the project folder. */
  lines: string[];
}

/** A one-agent-per-entry config with the given top-level keys merged in. */
export function config(agents: unknown[], top: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...top, agents };
}

export function load(value: unknown, tree: Tree = {}, env: NodeJS.ProcessEnv = {}): Loaded {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  const root = testDir({ ...tree, 'agents.config.json': text });
  const result = loadConfig(join(root, 'agents.config.json'), { env, cwd: root });
  return { ...result, root, lines: result.problems.map((p) => formatProblem(p, root)) };
}

/** The single problem line for a config that must have exactly one. */
export function onlyProblem(value: unknown, tree: Tree = {}, env: NodeJS.ProcessEnv = {}): string {
  const { lines, config: loaded } = load(value, tree, env);
  if (loaded !== undefined || lines.length !== 1) throw new Error(`expected one problem, got ${lines.length}:\n${lines.join('\n')}`);
  return lines[0]!;
}

export const CONTRACT_EXAMPLE = `{
  "$schema": "./node_modules/agentvisor/agents.config.schema.json",
  "heartbeatMs": 5000,
  "onConflict": "wait",
  "lockTimeoutMs": 600000,
  "shutdownGraceMs": 10000,
  "agents": [
    { "id": "api", "command": "claude -p 'Add pagination to the API' --permission-mode acceptEdits",
      "owns": ["src/api/**"], "reads": ["src/types/**"],
      "env": { "FOO": "1" }, "cwd": ".", "restart": "on-failure", "maxRestarts": 2,
      "dependsOn": [], "timeoutMs": 3600000 },
    { "id": "reviewer",
      "command": ["claude", "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose"],
      "prompt": "Review each change you are told about.",
      "messages": { "to": "stdin", "format": "claude" }, "reads": ["src/**"] }
  ]
}
`;
