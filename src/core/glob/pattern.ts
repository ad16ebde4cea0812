// A compiled lock path: canonical text, literal form when there is one, and its cached automata.
import { buildNfa, forcedAffixes, type Nfa } from './automaton.js';
import { LazyDfa } from './match.js';
import { productWitness } from './overlap.js';
import { alternatives, canonicalText, type Alternative } from './normalise.js';
import { parseAtoms } from './parse.js';
import { refuseGlob } from './refuse.js';

export class CompiledPattern {
  private dfa: LazyDfa | undefined;
  private cheapest: string | null | undefined;

  constructor(
    /** The canonical lock path. */
    readonly source: string,
    /** The one file path it names when it has no wildcard, class or braces; else null. */
    readonly literal: string | null,
    readonly nfa: Nfa,
    /** Every path it matches starts with `prefix` and ends with `suffix`. */
    readonly prefix: string,
    readonly suffix: string,
  ) {}

  get matcher(): LazyDfa {
    return (this.dfa ??= new LazyDfa(this.nfa));
  }

  /**
   * The path it matches that the overlap search would rank first (null when it matches no real
   * path). When it matches another pattern too, it is a cheapest witness of their overlap.
   */
  get sample(): string | null {
    if (this.cheapest === undefined) this.cheapest = productWitness(this.nfa, everything().nfa);
    return this.cheapest;
  }
}

let universal: CompiledPattern | undefined;

/** `**`: every real path. */
function everything(): CompiledPattern {
  return (universal ??= compile('**'));
}

/**
 * The refusals of compile() that the text alone decides (all but "too complex", which only
 * building the automaton tells), without building it: a fraction of the cost.
 */
export function checkSyntax(source: string): void {
  if (source === '') throw refuseGlob(source, 'it is empty');
  const atoms = parseAtoms(source);
  canonicalText(source, atoms);
  alternatives(source, atoms);
}

export function compile(source: string): CompiledPattern {
  if (source === '') throw refuseGlob(source, 'it is empty');
  const atoms = parseAtoms(source);
  const canonical = canonicalText(source, atoms);
  const alts = alternatives(source, atoms);
  const nfa = buildNfa(source, alts);
  const { prefix, suffix } = forcedAffixes(nfa);
  return new CompiledPattern(canonical, literalOf(alts), nfa, prefix, suffix);
}

function literalOf(alts: readonly Alternative[]): string | null {
  if (alts.length !== 1) return null;
  const names: string[] = [];
  for (const segment of alts[0]!) {
    if (segment.kind !== 'atoms') return null;
    let name = '';
    for (const atom of segment.atoms) {
      if (atom.kind !== 'char') return null;
      name += String.fromCodePoint(atom.cp);
    }
    names.push(name);
  }
  return names.join('/');
}
