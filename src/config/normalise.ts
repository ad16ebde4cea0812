// From the schema's output to the AgentsConfig the supervisor consumes: durations in ms, lock
// paths normalised against the root, cwd absolute, messages as a routing record, defaults that
// depend on other fields. Checks that concern one agent's own fields live here; checks across
// agents live in rules.ts. Every agent is normalised even when it has problems, so the rules can
// still run and the user sees every problem at once.

import { statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { parseDuration } from '../core/duration.js';
import { AgentvisorError } from '../core/errors.js';
import { normaliseLockPath } from '../core/paths.js';
import { DEFAULTS, defaultMaxRestarts } from './defaults.js';
import { problem, type JsonPath } from './problems.js';
import type { ParsedAgent, ParsedConfig } from './schema.js';
import type { AgentSpec, AgentsConfig, ConfigProblem, MessageRouting } from './types.js';

/** Variables that agentvisor sets for every agent: a config may not override them. */
export const RESERVED_ENV = [
  'AGENT_ID',
  'AGENTVISOR_DIR',
  'AGENTVISOR_ROOT',
  'AGENTVISOR_SUPERVISOR',
  'AGENTVISOR_HEARTBEAT_MS',
  'AGENTVISOR_STORE',
  'AGENTVISOR_SCOPE',
  'AGENTVISOR_HOST',
  'AGENTVISOR_PORTABLE',
] as const;

/** An agent after normalisation, with where each of its lock paths came from (for rules' messages). */
export interface NormalisedAgent {
  spec: AgentSpec;
  /** For each entry of spec.owns, its index in the config's `owns` array. */
  ownsIndex: number[];
}

export interface Normalised {
  config: AgentsConfig;
  agents: NormalisedAgent[];
  problems: ConfigProblem[];
}

class Collector {
  readonly problems: ConfigProblem[] = [];
  constructor(readonly file: string) {}
  add(path: JsonPath, message: string): void {
    this.problems.push(problem(this.file, path, message));
  }
}

export function normaliseConfig(parsed: ParsedConfig, file: string, root: string): Normalised {
  const out = new Collector(file);
  const agents = parsed.agents.map((agent, i) => normaliseAgent(agent, ['agents', i], { file, root, out }));
  const config: AgentsConfig = {
    file,
    root,
    heartbeatMs: durationMs(parsed.heartbeatMs, ['heartbeatMs'], out, false) ?? DEFAULTS.heartbeatMs,
    onConflict: parsed.onConflict,
    lockTimeoutMs: parsed.lockTimeoutMs === null ? null : (durationMs(parsed.lockTimeoutMs, ['lockTimeoutMs'], out, true) ?? DEFAULTS.lockTimeoutMs),
    shutdownGraceMs: durationMs(parsed.shutdownGraceMs, ['shutdownGraceMs'], out, true) ?? DEFAULTS.shutdownGraceMs,
    store: parsed.store ?? null,
    scope: parsed.scope ?? null,
    agents: agents.map((a) => a.spec),
  };
  return { config, agents, problems: out.problems };
}

interface Where {
  file: string;
  root: string;
  out: Collector;
}

function normaliseAgent(agent: ParsedAgent, at: JsonPath, where: Where): NormalisedAgent {
  const { out } = where;
  const owns = lockPaths(agent.owns ?? [], [...at, 'owns'], where);
  const restart = agent.restart;
  const maxRestarts = agent.maxRestarts ?? defaultMaxRestarts(restart);
  if (restart === 'never' && maxRestarts > 0) out.add([...at, 'maxRestarts'], 'has no effect with "restart": "never"; set "restart": "on-failure" or "always"');
  const messages = messageRouting(agent.messages, [...at, 'messages'], out);
  const prompt = agent.prompt ?? null;
  if (prompt !== null && messages.to === 'inbox') {
    out.add([...at, 'prompt'], 'needs "messages": "stdin" (the prompt is delivered as the first message on stdin); for an inbox agent, put it in the command');
  }
  const spec: AgentSpec = {
    id: agent.id,
    command: agent.command,
    owns: owns.paths,
    reads: lockPaths(agent.reads ?? [], [...at, 'reads'], where).paths,
    env: environment(agent.env ?? {}, [...at, 'env'], out),
    // Unset, the root: with AGENTVISOR_ROOT elsewhere, the config's own folder may lie outside it.
    cwd: agent.cwd === undefined ? where.root : workingDirectory(agent.cwd, [...at, 'cwd'], where),
    restart,
    maxRestarts,
    dependsOn: [...new Set(agent.dependsOn ?? [])],
    timeoutMs: agent.timeoutMs === undefined || agent.timeoutMs === null ? null : (durationMs(agent.timeoutMs, [...at, 'timeoutMs'], out, false) ?? null),
    prompt,
    messages,
    allowFailure: agent.allowFailure,
    guard: agent.guard,
    mcp: agent.mcp,
  };
  return { spec, ownsIndex: owns.index };
}

/** Normalised, de-duplicated lock paths and the config index each came from; bad ones are problems. */
function lockPaths(inputs: string[], at: JsonPath, { root, out }: Where): { paths: string[]; index: number[] } {
  const paths: string[] = [];
  const index: number[] = [];
  inputs.forEach((input, i) => {
    try {
      const { path } = normaliseLockPath(input, { root });
      if (!paths.includes(path)) {
        paths.push(path);
        index.push(i);
      }
    } catch (error) {
      out.add([...at, i], lockPathMessage(input, error));
    }
  });
  return { paths, index };
}

function lockPathMessage(input: string, error: unknown): string {
  if (!(error instanceof AgentvisorError)) throw error;
  if (error.code === 'PATH_OUTSIDE_ROOT') return `${JSON.stringify(input)} leaves the project root`;
  return error.message;
}

function environment(env: Record<string, string>, at: JsonPath, out: Collector): Record<string, string> {
  for (const name of RESERVED_ENV) {
    if (Object.hasOwn(env, name)) out.add([...at, name], 'is set by agentvisor for every agent and cannot be overridden');
  }
  return { ...env };
}

/** The agent's cwd, relative to the config's folder; it must be an existing folder inside the root. */
function workingDirectory(cwd: string, at: JsonPath, { file, root, out }: Where): string {
  const absolute = resolve(dirname(file), cwd);
  const rel = relative(root, absolute);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    out.add(at, `${JSON.stringify(cwd)} leaves the project root`);
    return absolute;
  }
  const stats = statSync(absolute, { throwIfNoEntry: false });
  if (stats === undefined) out.add(at, `${JSON.stringify(cwd)} does not exist`);
  else if (!stats.isDirectory()) out.add(at, `${JSON.stringify(cwd)} is not a directory`);
  return absolute;
}

function messageRouting(value: ParsedAgent['messages'], at: JsonPath, out: Collector): MessageRouting {
  if (value === undefined || value === 'inbox') return DEFAULTS.messages;
  if (value === 'stdin') return { to: 'stdin', format: DEFAULTS.stdinFormat };
  if (value.to === 'inbox') {
    if (value.format !== undefined) out.add([...at, 'format'], 'needs "to": "stdin" (inbox messages are read with agentvisor inbox)');
    return DEFAULTS.messages;
  }
  return { to: 'stdin', format: value.format ?? DEFAULTS.stdinFormat };
}

/** A duration in ms (numbers pass through; strings like "10m" are parsed), or undefined after a problem. */
function durationMs(value: number | string, at: JsonPath, out: Collector, allowZero: boolean): number | undefined {
  if (typeof value === 'number') return value;
  try {
    return parseDuration(value, undefined, { allowZero });
  } catch (error) {
    if (!(error instanceof AgentvisorError)) throw error;
    out.add(at, error.message);
    return undefined;
  }
}
