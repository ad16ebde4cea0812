// Two agents of one config whose `owns` overlap and whom no dependsOn orders: found exactly (with
// a witness per pair of paths) and said in one line per pair of agents. By default the later one
// (config order) waits for the earlier one's locks at run time; with onConflict "fail" the pair is
// a config error.

import { isAgentvisorError } from '../core/errors.js';
import { overlapWitness, parsePattern, type Pattern } from '../core/glob/index.js';
import { problem } from './problems.js';
import type { ConfigProblem } from './types.js';

/** What the search needs of an agent: its id, owned paths, dependencies, and where owns came from. */
export interface OverlapAgent {
  id: string;
  owns: readonly string[];
  dependsOn: readonly string[];
  /** For each owned path, its index in the config's `owns` array (default: its own index). */
  ownsIndex?: readonly number[];
}

export interface PathOverlap {
  earlierPath: string;
  laterPath: string;
  witness: string;
}

/** One pair of agents: `later` (config order) waits for `earlier`. */
export interface OwnsOverlap {
  earlier: string;
  later: string;
  earlierIndex: number;
  laterIndex: number;
  /** The JSON path of the later agent's first overlapping entry of owns. */
  at: (string | number)[];
  paths: PathOverlap[];
}

type Graph = ReadonlyMap<string, readonly string[]>;

/** Every unordered pair (no dependsOn between them, directly or not) whose owns overlap. */
export function ownsOverlaps(agents: readonly OverlapAgent[]): OwnsOverlap[] {
  const graph = new Map<string, string[]>();
  for (const a of agents) if (!graph.has(a.id)) graph.set(a.id, a.dependsOn.filter((d) => d !== a.id));
  const patterns = agents.map((a) => a.owns.map(parseQuietly));
  const found: OwnsOverlap[] = [];
  for (let j = 1; j < agents.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = agents[i]!;
      const b = agents[j]!;
      if (a.id === b.id || reaches(a.id, b.id, graph) || reaches(b.id, a.id, graph)) continue;
      const paths: PathOverlap[] = [];
      let first: number | undefined;
      b.owns.forEach((laterPath, q) => {
        a.owns.forEach((earlierPath, p) => {
          const pa = patterns[i]![p];
          const pb = patterns[j]![q];
          const witness = pa && pb ? witnessOrUndecided(pa, pb) : null;
          if (witness === null) return;
          first ??= b.ownsIndex?.[q] ?? q;
          paths.push({ earlierPath, laterPath, witness });
        });
      });
      if (first !== undefined) found.push({ earlier: a.id, later: b.id, earlierIndex: i, laterIndex: j, at: ['agents', j, 'owns', first], paths });
    }
  }
  return found;
}

/** Their witness; a pair too costly to decide counts as overlapping (named as such). */
function witnessOrUndecided(a: Pattern, b: Pattern): string | null {
  try {
    return overlapWitness(a, b);
  } catch (error) {
    if (isAgentvisorError(error, 'OVERLAP_UNDECIDED')) return '(undecided: too costly to search, counted as overlapping)';
    throw error;
  }
}

function pathList(overlap: OwnsOverlap): string {
  return overlap.paths.map((p) => `${JSON.stringify(p.laterPath)} with ${JSON.stringify(p.earlierPath)} (both match ${JSON.stringify(p.witness)})`).join(', ');
}

/** The line validate and run print for a pair: who waits for whom, and why. */
export function overlapNotice(file: string, overlap: OwnsOverlap): ConfigProblem {
  const { earlier, later, earlierIndex } = overlap;
  return problem(
    file,
    overlap.at,
    `agent ${JSON.stringify(later)} waits for agent ${JSON.stringify(earlier)} (agents[${earlierIndex}]): their owns overlap, ${pathList(overlap)}; they run one after the other in config order (dependsOn would order them instead; onConflict "fail" refuses this)`,
  );
}

/** The same pair as a config error, when onConflict is "fail". */
export function overlapProblem(file: string, overlap: OwnsOverlap, source: string): ConfigProblem {
  const { earlier, later, earlierIndex } = overlap;
  return problem(
    file,
    overlap.at,
    `agents ${JSON.stringify(later)} and ${JSON.stringify(earlier)} (agents[${earlierIndex}]) own overlapping paths, ${pathList(overlap)}, and ${source} is "fail": narrow the paths, make one agent dependsOn the other, or let the later one wait (onConflict "wait")`,
  );
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

/** Paths reaching here were normalised already; a pattern that still fails was reported there. */
function parseQuietly(path: string): Pattern | undefined {
  try {
    return parsePattern(path);
  } catch {
    return undefined;
  }
}
