// Exact overlap of two automata: a cheapest-first search of their product for a path both accept,
// tracking segment validity so the witness is a real file path (no empty, `.` or `..` segment).
import { DOT, SLASH, pickOrdinary } from './charset.js';
import type { Nfa } from './automaton.js';

// Where the current segment stands: nothing read yet, ".", "..", or a real name so far.
const EMPTY = 0;
const ONE_DOT = 1;
const TWO_DOTS = 2;
const NAMED = 3;

// Costs per character: a shorter witness is better; a "." where a letter would do costs a little
// more, and a segment starting with "." (a hidden file) more than a letter, so `src/*.ts` gives
// `src/a.ts` rather than `src/.ts`, and `.*` against `*.` gives `.a.` rather than `...`.
const STEP = 2;
const DOT_STEP = 3;
const HIDDEN = 6;

/** The cheapest path both automata accept, or null when there is none. */
export function productWitness(a: Nfa, b: Nfa): string | null {
  const search = new ProductSearch(a, b);
  return search.run();
}

class ProductSearch {
  private readonly best = new Map<number, number>();
  private readonly parent = new Map<number, number>();
  private readonly via = new Map<number, number>();
  private readonly buckets: number[][] = [];

  constructor(
    private readonly a: Nfa,
    private readonly b: Nfa,
  ) {}

  private key(qa: number, qb: number, segment: number): number {
    return (qa * this.b.size + qb) * 4 + segment;
  }

  run(): string | null {
    const start = this.key(this.a.start, this.b.start, EMPTY);
    this.best.set(start, 0);
    this.buckets[0] = [start];
    for (let cost = 0; cost < this.buckets.length; cost++) {
      const bucket = this.buckets[cost];
      if (bucket === undefined) continue;
      for (let k = 0; k < bucket.length; k++) {
        const key = bucket[k]!;
        if (this.best.get(key) !== cost) continue; // a cheaper way was found after it was queued
        const found = this.expand(key, cost);
        if (found) return this.spell(key);
      }
    }
    return null;
  }

  /** Queue the successors of one product state; true when the state itself accepts. */
  private expand(key: number, cost: number): boolean {
    // Keys may pass 2^32 for big automata, so no bit operators here.
    const segment = key % 4;
    const pair = (key - segment) / 4;
    const qa = Math.floor(pair / this.b.size);
    const qb = pair - qa * this.b.size;
    if (segment === NAMED && this.a.accepting[qa] === 1 && this.b.accepting[qb] === 1) return true;
    for (const ea of this.a.edges[qa]!) {
      for (const eb of this.b.edges[qb]!) {
        if (ea.slash || eb.slash) {
          if (ea.slash && eb.slash && segment === NAMED) this.relax(key, this.key(ea.to, eb.to, EMPTY), SLASH, cost + STEP);
          continue;
        }
        const cp = pickOrdinary(ea.set, eb.set);
        if (cp >= 0) this.relax(key, this.key(ea.to, eb.to, NAMED), cp, cost + STEP);
        if (ea.dot && eb.dot) {
          const next = segment === EMPTY ? ONE_DOT : segment === ONE_DOT ? TWO_DOTS : NAMED;
          this.relax(key, this.key(ea.to, eb.to, next), DOT, cost + (segment === EMPTY ? HIDDEN : DOT_STEP));
        }
      }
    }
    return false;
  }

  private relax(from: number, to: number, cp: number, cost: number): void {
    const known = this.best.get(to);
    if (known !== undefined && known <= cost) return;
    this.best.set(to, cost);
    this.parent.set(to, from);
    this.via.set(to, cp);
    (this.buckets[cost] ??= []).push(to);
  }

  private spell(key: number): string {
    const cps: number[] = [];
    for (let at = key; this.parent.has(at); at = this.parent.get(at)!) cps.push(this.via.get(at)!);
    return String.fromCodePoint(...cps.reverse());
  }
}
