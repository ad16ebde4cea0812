// Matching a literal path: the automaton determinised lazily, one cached step per character seen.
import { contains } from './charset.js';
import type { Nfa } from './automaton.js';

const DEAD = -1;
/** Determinised states kept before the cache starts over (a guard against odd patterns). */
const MAX_CACHED_STATES = 4096;

export class LazyDfa {
  private keys = new Map<string, number>();
  private sets: number[][] = [];
  private accepting: boolean[] = [];
  private steps: Array<Map<number, number>> = [];

  constructor(private readonly nfa: Nfa) {
    this.intern([nfa.start]);
  }

  /** Whether the automaton accepts `path`, read by code points. */
  accepts(path: string): boolean {
    if (this.sets.length > MAX_CACHED_STATES) this.reset();
    let state = 0;
    for (let i = 0; i < path.length; ) {
      const cp = path.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      let next = this.steps[state]!.get(cp);
      if (next === undefined) next = this.step(state, cp);
      if (next === DEAD) return false;
      state = next;
    }
    return this.accepting[state]!;
  }

  /** The automaton's states after reading `text` from the start, or null when it cannot. */
  statesAfter(text: string): readonly number[] | null {
    if (this.sets.length > MAX_CACHED_STATES) this.reset();
    let state = 0;
    for (let i = 0; i < text.length && state !== DEAD; ) {
      const cp = text.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      state = this.steps[state]!.get(cp) ?? this.step(state, cp);
    }
    return state === DEAD ? null : this.sets[state]!;
  }

  private step(state: number, cp: number): number {
    const targets = new Set<number>();
    for (const q of this.sets[state]!) {
      for (const edge of this.nfa.edges[q]!) if (contains(edge.set, cp)) targets.add(edge.to);
    }
    const next = targets.size === 0 ? DEAD : this.intern([...targets].sort((x, y) => x - y));
    this.steps[state]!.set(cp, next);
    return next;
  }

  private intern(set: number[]): number {
    const key = set.join(',');
    const known = this.keys.get(key);
    if (known !== undefined) return known;
    const id = this.sets.length;
    this.keys.set(key, id);
    this.sets.push(set);
    this.accepting.push(set.some((q) => this.nfa.accepting[q] === 1));
    this.steps.push(new Map());
    return id;
  }

  private reset(): void {
    this.keys = new Map();
    this.sets = [];
    this.accepting = [];
    this.steps = [];
    this.intern([this.nfa.start]);
  }
}

/**
 * A normalised literal path: non-empty segments, none of them `.` or `..`, no NUL. Anything else
 * names no file, so it matches nothing.
 */
export function isNormalPath(path: string): boolean {
  if (path.length === 0) return false;
  let segmentStart = 0;
  for (let i = 0; i <= path.length; i++) {
    const code = i < path.length ? path.charCodeAt(i) : 0x2f;
    if (code === 0) return false;
    if (code !== 0x2f) continue;
    const length = i - segmentStart;
    if (length === 0) return false;
    if (path.charCodeAt(segmentStart) === 0x2e && (length === 1 || (length === 2 && path.charCodeAt(segmentStart + 1) === 0x2e))) {
      return false;
    }
    segmentStart = i + 1;
  }
  return true;
}
