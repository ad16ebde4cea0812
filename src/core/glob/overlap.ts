// Exact overlap of two automata: a cheapest-first search of their product for a path both accept,
// tracking segment validity so the witness is a real file path (no empty, `.` or `..` segment).
import { AgentvisorError } from '../errors.js';
import { DOT, SLASH, pickOrdinary } from './charset.js';
import type { Nfa } from './automaton.js';
import { ArrayTable, MAX_ARRAY_STATES, MapTable, type Table } from './search-table.js';

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

/**
 * Where a search may begin: the text every common path starts with, and the states each
 * automaton is in after reading it.
 */
export interface Head {
  readonly text: string;
  readonly a: readonly number[];
  readonly b: readonly number[];
}

/**
 * How many product states one search may reach before it gives up: a few milliseconds of work. Real lock paths need a few hundred at most; crafted ones
 * (`*a` and 2,000 `?` against `*b` and 2,000 `?`) would need millions, for seconds, inside the
 * store's critical section.
 */
export const SEARCH_BUDGET = 50_000;

/**
 * The cheapest path both automata accept (beginning with `head.text` when given), or null when there
 * is none. Throws OVERLAP_UNDECIDED when the search reaches more than `budget` states.
 */
export function productWitness(a: Nfa, b: Nfa, head: Head = { text: '', a: [a.start], b: [b.start] }, budget = Number.POSITIVE_INFINITY): string | null {
  const states = a.size * b.size * 4;
  const table = states <= MAX_ARRAY_STATES ? ArrayTable.take(states) : new MapTable();
  const tail = new ProductSearch(a, b, table, budget).run(head.a, head.b, segmentAfter(head.text));
  return tail === null ? null : head.text + tail;
}

/** The segment state after reading `text`, a valid path start. */
function segmentAfter(text: string): number {
  const last = text.slice(text.lastIndexOf('/') + 1);
  return last === '' ? EMPTY : last === '.' ? ONE_DOT : last === '..' ? TWO_DOTS : NAMED;
}

class ProductSearch {
  private readonly buckets: number[][] = [];
  private reached = 0;

  constructor(
    private readonly a: Nfa,
    private readonly b: Nfa,
    private readonly table: Table,
    private readonly budget: number,
  ) {}

  private key(qa: number, qb: number, segment: number): number {
    return (qa * this.b.size + qb) * 4 + segment;
  }

  /**
   * A*: buckets hold states by cost so far plus a bound on what is left (the more characters
   * either automaton still needs, at the cheapest step). The bound never overestimates and never
   * drops by more than a step costs, so the first accepting state taken out is a cheapest one;
   * states from which one automaton can no longer accept are never queued.
   */
  run(startsA: readonly number[], startsB: readonly number[], segment: number): string | null {
    for (const qa of startsA) {
      for (const qb of startsB) {
        const bound = this.bound(qa, qb);
        if (bound < 0) continue;
        const start = this.key(qa, qb, segment);
        this.table.reach(start, 0, -1, 0);
        (this.buckets[bound] ??= []).push(start);
      }
    }
    for (let f = 0; f < this.buckets.length; f++) {
      const bucket = this.buckets[f];
      if (bucket === undefined) continue;
      for (let k = 0; k < bucket.length; k++) {
        const key = bucket[k]!;
        const cost = this.table.cost(key);
        const pair = Math.floor(key / 4);
        const qa = Math.floor(pair / this.b.size);
        if (cost + this.bound(qa, pair - qa * this.b.size) !== f) continue; // reached cheaper since queued
        if (this.expand(key, cost)) return this.spell(key);
      }
    }
    return null;
  }

  /** A lower bound on the cost still to pay from (qa, qb); -1 when no common path goes on from there. */
  private bound(qa: number, qb: number): number {
    const da = this.a.toAccept[qa]!;
    const db = this.b.toAccept[qb]!;
    return da < 0 || db < 0 ? -1 : STEP * Math.max(da, db);
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
    const known = this.table.cost(to);
    if (known >= 0 && known <= cost) return;
    const pair = Math.floor(to / 4);
    const qa = Math.floor(pair / this.b.size);
    const bound = this.bound(qa, pair - qa * this.b.size);
    if (bound < 0) return;
    if (++this.reached > this.budget) {
      throw new AgentvisorError('OVERLAP_UNDECIDED', `deciding whether two lock paths overlap took more than ${this.budget} search steps`, { budget: this.budget });
    }
    this.table.reach(to, cost, from, cp);
    (this.buckets[cost + bound] ??= []).push(to);
  }

  private spell(key: number): string {
    const cps: number[] = [];
    for (let at = key; this.table.parent(at) >= 0; at = this.table.parent(at)) cps.push(this.table.via(at));
    return String.fromCodePoint(...cps.reverse());
  }
}
