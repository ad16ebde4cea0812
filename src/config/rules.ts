// Cross-agent rules of agents.config.json, one small function each, run in the order of RULES.
// Not a rule on purpose: one agent's `reads` overlapping another's `owns` (the reader waits for the
// owner at run time), and an agent's `owns` overlapping its own `reads`.

import { isAgentvisorError } from '../core/errors.js';
import { overlapWitness, parsePattern, type Pattern } from '../core/glob/index.js';
import { closest } from './did-you-mean.js';
import type { NormalisedAgent } from './normalise.js';
import { problem } from './problems.js';
import type { ConfigProblem } from './types.js';

export interface RuleInput {
  file: string;
  agents: readonly NormalisedAgent[];
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

/** Their witness; a pair too costly to decide counts as overlapping (named as such). */
function witnessOrUndecided(a: Pattern, b: Pattern): string | null {
  try {
    return overlapWitness(a, b);
  } catch (error) {
    if (isAgentvisorError(error, 'OVERLAP_UNDECIDED')) return '(undecided: too costly to search, counted as overlapping)';
    throw error;
  }
}

/** Two agents may not own overlapping paths unless one runs after the other (dependsOn, transitively). */
export const overlappingOwns: ConfigRule = ({ file, agents }) => {
  const graph = dependencyGraph(agents);
  const patterns = agents.map((a) => a.spec.owns.map(parseQuietly));
  const problems: ConfigProblem[] = [];
  for (let j = 1; j < agents.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = agents[i]!;
      const b = agents[j]!;
      if (a.spec.id === b.spec.id || ordered(a.spec.id, b.spec.id, graph)) continue;
      b.spec.owns.forEach((bPath, q) => {
        a.spec.owns.forEach((aPath, p) => {
          const pa = patterns[i]![p];
          const pb = patterns[j]![q];
          const witness = pa && pb ? witnessOrUndecided(pa, pb) : null;
          if (witness === null) return;
          problems.push(
            problem(
              file,
              ['agents', j, 'owns', b.ownsIndex[q]!],
              `${JSON.stringify(bPath)} of agent ${JSON.stringify(b.spec.id)} overlaps ${JSON.stringify(aPath)} of agent ${JSON.stringify(a.spec.id)} (agents[${i}].owns[${a.ownsIndex[p]}]): both match ${JSON.stringify(witness)}; narrow the paths or make one agent dependsOn the other`,
            ),
          );
        });
      });
    }
  }
  return problems;
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

/** Whether one agent depends on the other, directly or through others. */
function ordered(a: string, b: string, graph: Graph): boolean {
  return reaches(a, b, graph) || reaches(b, a, graph);
}

function reaches(from: string, to: string, graph: Graph): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const next of graph.get(id) ?? []) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return false;
}

/** Paths reaching the rules were normalised already; a pattern that still fails was reported there. */
function parseQuietly(path: string): Pattern | undefined {
  try {
    return parsePattern(path);
  } catch {
    return undefined;
  }
}
