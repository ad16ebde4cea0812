// Lock path syntax → atoms: escapes, wildcards, classes and braces, refusing what we do not support.
import { type CharSet, DOT, SLASH, complement, fromRanges } from './charset.js';
import { braceRange } from './braces.js';
import { refuseGlob } from './refuse.js';

export type Atom =
  | { readonly kind: 'char'; readonly cp: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'star' }
  | { readonly kind: 'class'; readonly set: CharSet }
  /** `at`..`end` is the separator's text (`/`, or `\/`). */
  | { readonly kind: 'slash'; readonly at: number; readonly end: number }
  /**
   * Braces. `expand` marks the ones that must be expanded at the path level before segments are
   * known: they hold `/`, `*`, `.` or an empty alternative. The others stay a union in a segment.
   */
  | { readonly kind: 'alt'; readonly alts: readonly Atom[][]; readonly expand: boolean };

const EXTGLOB_OPENERS = new Set(['+', '@', '!', '?', '*']);

/** Parse the whole source; throws INVALID_GLOB naming the first problem and where it is. */
export function parseAtoms(source: string): Atom[] {
  return new Parser(source).all();
}

class Parser {
  private pos = 0;

  constructor(private readonly source: string) {}

  all(): Atom[] {
    const atoms = this.sequence(false);
    if (this.pos < this.source.length) throw this.fail('unbalanced "}" (no "{" opens it)', this.pos, 'escape it as "\\}"');
    return atoms;
  }

  private fail(problem: string, index: number, hint?: string): Error {
    return refuseGlob(this.source, problem, index, hint);
  }

  /** Atoms up to the end, or (inside braces) up to the `,` or `}` that ends this alternative. */
  private sequence(inBraces: boolean): Atom[] {
    const atoms: Atom[] = [];
    const src = this.source;
    while (this.pos < src.length) {
      const at = this.pos;
      const ch = src[at]!;
      if (inBraces && (ch === ',' || ch === '}')) return atoms;
      if (ch === '}') return atoms; // all() reports it
      if (EXTGLOB_OPENERS.has(ch) && src[at + 1] === '(') {
        throw this.fail(`extglob "${ch}(" is not supported`, at, `escape it as "\\${ch}(" for a literal name`);
      }
      switch (ch) {
        case '\\':
          atoms.push(this.escaped());
          break;
        case '*':
          this.pos++;
          atoms.push({ kind: 'star' });
          break;
        case '?':
          this.pos++;
          atoms.push({ kind: 'any' });
          break;
        case '[':
          atoms.push(this.charClass());
          break;
        case ']':
          throw this.fail('unbalanced "]" (no "[" opens it)', at, 'escape it as "\\]"');
        case '{':
          atoms.push(this.braces());
          break;
        case '/':
          this.pos++;
          atoms.push({ kind: 'slash', at, end: at + 1 });
          break;
        default:
          atoms.push({ kind: 'char', cp: this.codePoint() });
      }
    }
    return atoms;
  }

  private codePoint(): number {
    const cp = this.source.codePointAt(this.pos)!;
    if (cp === 0) throw this.fail('a NUL character cannot be part of a path', this.pos);
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private escaped(): Atom {
    const at = this.pos;
    this.pos++;
    if (this.pos >= this.source.length) throw this.fail('trailing "\\" escapes nothing', at, 'remove it or write "\\\\"');
    const cp = this.codePoint();
    // An escaped `/` is still a separator: no file name can hold `/`.
    return cp === SLASH ? { kind: 'slash', at, end: this.pos } : { kind: 'char', cp };
  }

  private charClass(): Atom {
    const open = this.pos;
    const src = this.source;
    this.pos++;
    const negated = src[this.pos] === '!' || src[this.pos] === '^';
    if (negated) this.pos++;
    const ranges: Array<[number, number]> = [];
    for (let first = true; ; first = false) {
      if (this.pos >= src.length) throw this.fail('unbalanced "[" (no "]" closes it)', open, 'escape it as "\\["');
      const ch = src[this.pos]!;
      if (ch === ']' && !first) break;
      if (ch === '[' && (src[this.pos + 1] === ':' || src[this.pos + 1] === '=' || src[this.pos + 1] === '.')) {
        throw this.fail(`POSIX class "[${src[this.pos + 1]}" is not supported`, this.pos, 'list the characters, e.g. "[a-zA-Z]"');
      }
      const lo = this.classChar();
      if (src[this.pos] === '-' && this.pos + 1 < src.length && src[this.pos + 1] !== ']') {
        const dash = this.pos;
        this.pos++;
        const hi = this.classChar();
        if (hi < lo) {
          const text = src.slice(dash - String.fromCodePoint(lo).length, this.pos);
          throw this.fail(`reversed range "${text}" in a character class`, dash, 'write the lower bound first');
        }
        ranges.push([lo, hi]);
      } else {
        ranges.push([lo, lo]);
      }
    }
    this.pos++;
    const set = fromRanges(ranges);
    return { kind: 'class', set: negated ? complement(set) : set };
  }

  private classChar(): number {
    const at = this.pos;
    if (this.source[at] === '\\') {
      this.pos++;
      if (this.pos >= this.source.length) throw this.fail('trailing "\\" escapes nothing', at);
    }
    if (this.source[this.pos] === '/') {
      throw this.fail('a character class cannot hold "/"', this.pos, 'a class matches one character of a file name');
    }
    return this.codePoint();
  }

  private braces(): Atom {
    const open = this.pos;
    this.pos++;
    const alts: Atom[][] = [];
    while (true) {
      alts.push(this.sequence(true));
      if (this.pos >= this.source.length) throw this.fail('unbalanced "{" (no "}" closes it)', open, 'escape it as "\\{"');
      if (this.source[this.pos++] === '}') break;
    }
    const inner = this.source.slice(open + 1, this.pos - 1);
    if (inner === '') throw this.fail('empty braces "{}"', open, 'escape them as "\\{\\}" for a literal name');
    if (alts.length === 1) {
      const items = braceRange(inner, (problem) => this.fail(problem, open));
      if (items !== null) return alternation(items.map(textAtoms));
    }
    return alternation(alts);
  }
}

function textAtoms(text: string): Atom[] {
  return Array.from(text, (ch) => ({ kind: 'char', cp: ch.codePointAt(0)! }) as const);
}

function alternation(alts: Atom[][]): Atom {
  return { kind: 'alt', alts, expand: alts.some(needsExpansion) };
}

function needsExpansion(alt: readonly Atom[]): boolean {
  if (alt.length === 0) return true;
  return alt.some(
    (atom) =>
      atom.kind === 'slash' ||
      atom.kind === 'star' ||
      (atom.kind === 'char' && atom.cp === DOT) ||
      (atom.kind === 'alt' && atom.expand),
  );
}
