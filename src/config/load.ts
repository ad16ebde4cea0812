// Loading agents.config.json: read → JSON (line:column on a syntax error) → zod schema → normalise
// → cross-agent rules. Returns every problem found instead of throwing; the CLI prints them.
// Only config and CLI modules import this (zod is not on the hot path of lock and guard).

import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { AgentvisorError } from '../core/errors.js';
import { findRoot } from '../core/location.js';
import { problemsFromIssues } from './issues.js';
import { parseJsonText } from './json-text.js';
import { normaliseConfig } from './normalise.js';
import { ownsOverlaps, type OwnsOverlap } from './owns-overlaps.js';
import { formatProblem, problem } from './problems.js';
import { runRules } from './rules.js';
import { ConfigSchema } from './schema.js';
import type { AgentsConfig, ConfigProblem, OnConflict } from './types.js';

export interface LoadOptions {
  /** For AGENTVISOR_ROOT (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where a relative `file` or AGENTVISOR_ROOT is resolved from (default process.cwd()). */
  cwd?: string;
  /** run's --on-conflict, overriding the config's onConflict. */
  onConflict?: OnConflict;
}

/** `config` is set exactly when `problems` is empty. */
export interface LoadResult {
  config?: AgentsConfig;
  problems: ConfigProblem[];
  /** Agents whose owns overlap, the later waiting for the earlier (an error with onConflict "fail"). */
  overlaps?: OwnsOverlap[];
}

export function loadConfig(file: string, options: LoadOptions = {}): LoadResult {
  const absolute = resolve(options.cwd ?? process.cwd(), file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    return { problems: [problem(absolute, '', readFailure(error))] };
  }
  return parseConfig(text, absolute, options);
}

/** Validate config text as if it were the file `file` (absolute; its folder is the default root). */
export function parseConfig(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const json = parseJsonText(text);
  if (!json.ok) return { problems: [{ ...problem(file, '', `invalid JSON: ${json.message}`), line: json.line, column: json.column }] };
  const parsed = ConfigSchema.safeParse(json.value, { reportInput: true });
  if (!parsed.success) return { problems: problemsFromIssues(file, parsed.error.issues) };
  const root = findRoot({ cwd, env, configPath: file });
  const rootProblem = checkRoot(root, file, env);
  if (rootProblem) return { problems: [rootProblem] };
  const normalised = normaliseConfig(parsed.data, file, root);
  const problems = byAgent([...normalised.problems, ...runRules({
    file,
    agents: normalised.agents,
    onConflict: options.onConflict ?? parsed.data.onConflict,
    ...(options.onConflict ? { onConflictFrom: '--on-conflict' } : {}),
  })]);
  if (problems.length > 0) return { problems };
  const overlaps = ownsOverlaps(normalised.agents.map(({ spec, ownsIndex }) => ({ id: spec.id, owns: spec.owns, dependsOn: spec.dependsOn, ownsIndex })));
  return { config: normalised.config, problems, overlaps };
}

/** The config, or AgentvisorError CONFIG_INVALID whose message lists every problem (one per line). */
export function loadConfigOrThrow(file: string, options: LoadOptions = {}): AgentsConfig {
  const { config, problems } = loadConfig(file, options);
  if (config) return config;
  const cwd = options.cwd ?? process.cwd();
  const lines = problems.map((p) => formatProblem(p, cwd));
  throw new AgentvisorError('CONFIG_INVALID', lines.length === 1 ? lines[0]! : `invalid config:\n${lines.join('\n')}`, { file: resolve(cwd, file), problems });
}

/** Problems of the top level first, then agent by agent, each group in the order found. */
function byAgent(problems: ConfigProblem[]): ConfigProblem[] {
  const agentIndex = (p: ConfigProblem) => Number(/^agents\[(\d+)\]/.exec(p.path)?.[1] ?? -1);
  return problems.map((p, order) => ({ p, order })).sort((a, b) => agentIndex(a.p) - agentIndex(b.p) || a.order - b.order).map(({ p }) => p);
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'not found';
  if (code === 'EISDIR') return 'is a directory, not a config file';
  if (code === 'EACCES') return 'cannot be read (permission denied)';
  return `cannot be read: ${(error as Error).message}`;
}

function checkRoot(root: string, file: string, env: NodeJS.ProcessEnv): ConfigProblem | undefined {
  try {
    if (statSync(root).isDirectory()) return undefined;
  } catch {
    // reported below
  }
  const source = env.AGENTVISOR_ROOT ? `AGENTVISOR_ROOT ${JSON.stringify(env.AGENTVISOR_ROOT)}` : `the root ${root}`;
  return problem(file, '', `${source} is not an existing directory`);
}
