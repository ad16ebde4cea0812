// Cross-agent rules of agents.config.json, one small function each, run in the order of RULES.
// Not a rule on purpose: one agent's `reads` overlapping another's `owns` (the reader waits for the
// owner at run time), an agent's `owns` overlapping its own `reads`, and two agents' overlapping
// `owns` unless onConflict is "fail" (the later one waits: owns-overlaps.ts).

import { closest } from './did-you-mean.js';
import type { NormalisedAgent } from './normalise.js';
import { overlapProblem, ownsOverlaps } from './owns-overlaps.js';
import { problem } from './problems.js';
import type { ConfigProblem, OnConflict } from './types.js';

export interface RuleInput {
  file: string;
  agents: readonly NormalisedAgent[];
  /** The config's onConflict (or run's --on-conflict): with "fail", overlapping owns are an error. */
  onConflict?: OnConflict;
  /** Where onConflict came from, as the error names it (default "onConflict"). */
  onConflictFrom?: string;
}

export type ConfigRule = (input: RuleInput) => ConfigProblem[];

export const duplicateIds: ConfigRule = ({ file, agents }) => {
  const first = new Map<string, number>();
  const problems: ConfigProblem[] = [];
  agents.forEach(({ spec }, i) => {
    const earlier = first.get(spec.id);
    if (earlier === undefined) first.set(spec.id, i);
    else problems.push(problem(file, ['agents', i, 'id'], `duplicate id ${JSON.stringify(spec.id)} (also agents[${earlier}])`));
  });
  return problems;
};

export const unknownDependencies: ConfigRule = ({ file, agents }) => {
  const ids = agents.map((a) => a.spec.id);
  const problems: ConfigProblem[] = [];
  agents.forEach(({ spec }, i) => {
    spec.dependsOn.forEach((dep, k) => {
      const at = ['agents', i, 'dependsOn', k];
      if (dep === spec.id) problems.push(problem(file, at, `agent ${JSON.stringify(spec.id)} cannot depend on itself`));
      else if (!ids.includes(dep)) {
        const hint = closest(dep, ids);
        problems.push(problem(file, at, `unknown agent ${JSON.stringify(dep)}${hint === undefined ? '' : `; did you mean "${hint}"?`}`));
      }
    });
  });
  return problems;
};

/** Each dependency cycle once, named from its first agent in config order: `a → b → a`. */
export const dependencyCycles: ConfigRule = ({ file, agents }) => {
  const graph = dependencyGraph(agents);
  const problems: ConfigProblem[] = [];
  const reported = new Set<string>();
  agents.forEach(({ spec }, i) => {
    const cycle = findCycleFrom(spec.id, graph);
    if (!cycle) return;
    const key = [...new Set(cycle)].sort().join('\0');
    if (reported.has(key)) return;
    reported.add(key);
    problems.push(problem(file, ['agents', i, 'dependsOn'], `dependency cycle: ${cycle.join(' → ')}`));
  });
  return problems;
};

/** Overlapping owns of unordered agents: a problem only with onConflict "fail" (else they queue). */
export const overlappingOwns: ConfigRule = ({ file, agents, onConflict, onConflictFrom }) => {
  if (onConflict !== 'fail') return [];
  const found = ownsOverlaps(agents.map(({ spec, ownsIndex }) => ({ id: spec.id, owns: spec.owns, dependsOn: spec.dependsOn, ownsIndex })));
  return found.map((o) => overlapProblem(file, o, onConflictFrom ?? 'onConflict'));
};

export const RULES: readonly ConfigRule[] = [duplicateIds, unknownDependencies, dependencyCycles, overlappingOwns];

export function runRules(input: RuleInput, rules: readonly ConfigRule[] = RULES): ConfigProblem[] {
  return rules.flatMap((rule) => rule(input));
}

type Graph = ReadonlyMap<string, readonly string[]>;

/** id → the ids it depends on (the first agent of a duplicated id wins; unknown ids are kept). */
function dependencyGraph(agents: readonly NormalisedAgent[]): Graph {
  const graph = new Map<string, string[]>();
  for (const { spec } of agents) if (!graph.has(spec.id)) graph.set(spec.id, spec.dependsOn.filter((d) => d !== spec.id));
  return graph;
}

/** A cycle through `start` as a list of ids that begins and ends with `start`, or undefined. */
function findCycleFrom(start: string, graph: Graph): string[] | undefined {
  const visited = new Set<string>();
  const walk = (id: string, trail: string[]): string[] | undefined => {
    for (const next of graph.get(id) ?? []) {
      if (next === start) return [...trail, next];
      if (visited.has(next)) continue;
      visited.add(next);
      const found = walk(next, [...trail, next]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}
