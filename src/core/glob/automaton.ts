// A pattern as an automaton over the characters of a whole path (`/` included), without ε-moves.
import { ANY, type CharSet, DOT, SLASH_SET, contains, single } from './charset.js';
import type { Alternative, Segment } from './normalise.js';
import type { Atom } from './parse.js';
import { refuseGlob } from './refuse.js';

export interface Edge {
  readonly set: CharSet;
  readonly to: number;
  /** The set is exactly `/` (separators only ever are; wildcards never hold `/`). */
  readonly slash: boolean;
  readonly dot: boolean;
}

export interface Nfa {
  readonly start: number;
  readonly size: number;
  readonly edges: ReadonlyArray<readonly Edge[]>;
  readonly accepting: Uint8Array;
  /** Fewest characters from each state to an accepting one; -1 when none can be reached. */
  readonly toAccept: Int32Array;
}

/** Thompson states, and edges without ε-moves, a pattern may need before it is refused as absurd. */
const MAX_STATES = 50_000;
const MAX_EDGES = 500_000;

/** The automaton accepting exactly the paths the alternatives match. */
export function buildNfa(source: string, alternatives: readonly Alternative[]): Nfa {
  const builder = new Builder(source);
  const start = builder.state();
  const final = builder.state();
  for (const alternative of alternatives) builder.epsilon(builder.path(alternative, start), final);
  return builder.withoutEpsilons(start, final);
}

class Builder {
  private readonly eps: number[][] = [];
  private readonly edges: Array<Array<{ set: CharSet; to: number }>> = [];

  constructor(private readonly source: string) {}

  state(): number {
    if (this.eps.length >= MAX_STATES) throw this.tooComplex();
    this.eps.push([]);
    this.edges.push([]);
    return this.eps.length - 1;
  }

  private tooComplex(): Error {
    return refuseGlob(this.source, 'it is too complex to decide overlaps with', undefined, 'lock fewer, simpler paths');
  }

  epsilon(from: number, to: number): void {
    this.eps[from]!.push(to);
  }

  private edge(from: number, set: CharSet): number {
    const to = this.state();
    this.edges[from]!.push({ set, to });
    return to;
  }

  /** `(body)*` with fresh states, so the loop never leaks into what came before. */
  private loop(from: number, body: (head: number) => number): number {
    const head = this.state();
    this.epsilon(from, head);
    this.epsilon(body(head), head);
    const exit = this.state();
    this.epsilon(head, exit);
    return exit;
  }

  /** One non-empty segment of any name (the validity of names is the search's business). */
  private anySegment(from: number): number {
    const inside = this.edge(from, ANY);
    this.edges[inside]!.push({ set: ANY, to: inside });
    return inside;
  }

  /**
   * Segments joined by `/`, where `**` is zero or more whole segments: `a/**\/c` is
   * `a/(SEG/)*c`, a leading `**\/c` is `(SEG/)*c`, a trailing `a/**` is `a(/SEG)*`, and `**`
   * alone is `SEG(/SEG)*`.
   */
  path(segments: readonly Segment[], from: number): number {
    let at = from;
    const last = segments.length - 1;
    segments.forEach((segment, i) => {
      const previousIsGlobstar = i > 0 && segments[i - 1]!.kind === 'globstar';
      if (segment.kind === 'atoms') {
        if (i > 0 && !previousIsGlobstar) at = this.edge(at, SLASH_SET);
        at = this.atoms(segment.atoms, at);
      } else if (last === 0) {
        at = this.loop(this.anySegment(at), (head) => this.anySegment(this.edge(head, SLASH_SET)));
      } else if (i === 0) {
        at = this.loop(at, (head) => this.edge(this.anySegment(head), SLASH_SET));
      } else if (i === last) {
        at = this.loop(at, (head) => this.anySegment(this.edge(head, SLASH_SET)));
      } else {
        at = this.loop(this.edge(at, SLASH_SET), (head) => this.edge(this.anySegment(head), SLASH_SET));
      }
    });
    return at;
  }

  private atoms(atoms: readonly Atom[], from: number): number {
    let at = from;
    for (const atom of atoms) at = this.atom(atom, at);
    return at;
  }

  private atom(atom: Atom, from: number): number {
    switch (atom.kind) {
      case 'char':
        return this.edge(from, single(atom.cp));
      case 'any':
        return this.edge(from, ANY);
      case 'class':
        return this.edge(from, atom.set);
      case 'star': {
        const inside = this.state();
        this.epsilon(from, inside);
        this.edges[inside]!.push({ set: ANY, to: inside });
        return inside;
      }
      case 'alt': {
        const join = this.state();
        if (atom.alts.every((alt) => alt.every((a) => a.kind === 'char'))) this.trie(atom.alts, from, join);
        else for (const alt of atom.alts) this.epsilon(this.atoms(alt, from), join);
        return join;
      }
      case 'slash':
        return this.edge(from, SLASH_SET);
    }
  }

  /**
   * Plain words (`{1..4096}`, `{ts,tsx}`) share their prefixes, so the state after the braces has
   * a handful of edges rather than one per word: `{1..4096}{1..4096}` stays small without ε-moves.
   */
  private trie(words: readonly Atom[][], from: number, join: number): void {
    const children = new Map<number, Map<number, number>>();
    for (const word of words) {
      let at = from;
      for (const atom of word) {
        if (atom.kind !== 'char') continue;
        let next = children.get(at)?.get(atom.cp);
        if (next === undefined) {
          next = this.edge(at, single(atom.cp));
          if (!children.has(at)) children.set(at, new Map());
          children.get(at)!.set(atom.cp, next);
        }
        at = next;
      }
      if (!this.eps[at]!.includes(join)) this.epsilon(at, join);
    }
  }

  /** The same language without ε-moves, keeping only states reachable from the start. */
  withoutEpsilons(start: number, final: number): Nfa {
    const ids = new Map<number, number>([[start, 0]]);
    const queue = [start];
    const edges: Edge[][] = [];
    const accepting: number[] = [];
    let total = 0;
    for (let k = 0; k < queue.length; k++) {
      const closure = this.closure(queue[k]!);
      const out: Edge[] = [];
      const seen = new Set<string>();
      for (const q of closure) {
        for (const { set, to } of this.edges[q]!) {
          let id = ids.get(to);
          if (id === undefined) {
            id = queue.length;
            ids.set(to, id);
            queue.push(to);
          }
          const key = `${id}:${set.join(',')}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({ set, to: id, slash: set === SLASH_SET, dot: contains(set, DOT) });
        }
      }
      edges.push(out);
      total += out.length;
      if (total > MAX_EDGES) throw this.tooComplex();
      accepting.push(closure.includes(final) ? 1 : 0);
    }
    const flags = Uint8Array.from(accepting);
    return { start: 0, size: queue.length, edges, accepting: flags, toAccept: distancesToAccept(edges, flags) };
  }

  private closure(state: number): number[] {
    const seen = new Set<number>([state]);
    const stack = [state];
    while (stack.length > 0) {
      for (const next of this.eps[stack.pop()!]!) {
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    return [...seen];
  }
}

/** Breadth-first over reversed edges from the accepting states. */
function distancesToAccept(edges: ReadonlyArray<readonly Edge[]>, accepting: Uint8Array): Int32Array {
  const incoming: number[][] = edges.map(() => []);
  edges.forEach((out, from) => {
    for (const edge of out) incoming[edge.to]!.push(from);
  });
  const distance = new Int32Array(edges.length).fill(-1);
  const queue: number[] = [];
  accepting.forEach((flag, q) => {
    if (flag === 1) {
      distance[q] = 0;
      queue.push(q);
    }
  });
  for (let k = 0; k < queue.length; k++) {
    const q = queue[k]!;
    for (const from of incoming[q]!) {
      if (distance[from] === -1) {
        distance[from] = distance[q]! + 1;
        queue.push(from);
      }
    }
  }
  return distance;
}

/**
 * The text every accepted path starts with (a quick reject before any search), and the text every
 * accepted path ends with, capped in length.
 */
export function forcedAffixes(nfa: Nfa): { prefix: string; suffix: string } {
  const prefix = forced([nfa.start], (q) => nfa.edges[q]!, (q) => nfa.accepting[q] === 1);
  return { prefix, suffix: forcedSuffix(nfa) };
}

const MAX_AFFIX = 64;

type Moves = (q: number) => ReadonlyArray<{ readonly set: CharSet; readonly to: number }>;

/** Characters every walk from `from` must read first, until a state where the walk may stop. */
function forced(from: number[], moves: Moves, mayStop: (q: number) => boolean): string {
  let text = '';
  let states = from;
  while (text.length < MAX_AFFIX) {
    if (states.some(mayStop)) break;
    let cp = -1;
    const next = new Set<number>();
    for (const q of states) {
      for (const edge of moves(q)) {
        const only = edge.set.length === 2 && edge.set[0] === edge.set[1] ? edge.set[0]! : -2;
        if (only < 0 || (cp >= 0 && only !== cp)) return text;
        cp = only;
        next.add(edge.to);
      }
    }
    if (cp < 0) break;
    text += String.fromCodePoint(cp);
    states = [...next];
  }
  return text;
}

function forcedSuffix(nfa: Nfa): string {
  const incoming: Array<Array<{ set: CharSet; to: number }>> = Array.from({ length: nfa.size }, () => []);
  nfa.edges.forEach((edges, from) => {
    for (const edge of edges) incoming[edge.to]!.push({ set: edge.set, to: from });
  });
  const finals: number[] = [];
  nfa.accepting.forEach((flag, q) => flag === 1 && finals.push(q));
  // Built backwards, one character at a time: reverse the code points, not the UTF-16 units.
  return Array.from(forced(finals, (q) => incoming[q]!, (q) => q === nfa.start)).reverse().join('');
}
