// The glob API that the rest of agentvisor uses: parse a lock path, decide overlap exactly (with a
// witness path), match a literal path. Semantics and method: docs/globs.md.
import { isNormalPath } from './match.js';
import { productWitness, SEARCH_BUDGET } from './overlap.js';
import { CompiledPattern, checkSyntax, compile } from './pattern.js';

/** A parsed lock path, ready for overlap decisions and matching. Build it with parsePattern. */
export interface Pattern {
  /** The canonical lock path: no `./`, no `//`, a trailing `/` written as `/**`. */
  readonly source: string;
  /** The one file path it names when it holds no wildcard, class or braces (escapes removed); else null. */
  readonly literal: string | null;
}

const cache = new Map<string, CompiledPattern>();
const MAX_CACHED = 4096;

/**
 * Parse a lock path (normalising `./`, `//` and a trailing `/`). Throws AgentvisorError
 * INVALID_GLOB naming the path, what is wrong and where.
 */
export function parsePattern(source: string): Pattern {
  const known = cache.get(source);
  if (known !== undefined) return known;
  const pattern = compile(source);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(source, pattern);
  return pattern;
}

/**
 * Throws INVALID_GLOB as parsePattern would for what is wrong with the text, without building the
 * automaton (readers checking many stored paths pay a fraction). A path accepted here can still
 * be refused by parsePattern as too complex to decide overlaps with.
 */
export function checkPatternSyntax(source: string): void {
  if (!cache.has(source)) checkSyntax(source);
}

function compiled(pattern: Pattern): CompiledPattern {
  return pattern instanceof CompiledPattern ? pattern : (parsePattern(pattern.source) as CompiledPattern);
}

/**
 * A file path that both patterns match, or null when no file path can match both. Exact, for
 * files that do not exist too; the witness is a normalised literal path. Throws OVERLAP_UNDECIDED
 * (an AgentvisorError) when the search for one passes its bound (crafted globs): callers count
 * such a pair as overlapping, erring on the side of overlap.
 */
export function overlapWitness(a: Pattern, b: Pattern): string | null {
  const pa = compiled(a);
  const pb = compiled(b);
  if (pa.literal !== null) return matchesPath(pb, pa.literal) ? pa.literal : null;
  if (pb.literal !== null) return matchesPath(pa, pb.literal) ? pb.literal : null;
  if (!affixesAgree(pa.prefix, pb.prefix, false) || !affixesAgree(pa.suffix, pb.suffix, true)) return null;
  // The cheapest path of one that the other matches is a cheapest common path: no search needed.
  for (const [x, y] of [[pb, pa], [pa, pb]] as const) {
    const sample = x.sample;
    if (sample === null) return null;
    if (affordable(y, sample) && y.matcher.accepts(sample)) return sample;
  }
  const guess = guessWitness(pa, pb);
  if (guess !== null) return guess;
  // Every common path starts with the longer forced prefix: search on from there.
  const text = pa.prefix.length >= pb.prefix.length ? pa.prefix : pb.prefix;
  const statesA = pa.matcher.statesAfter(text);
  const statesB = pb.matcher.statesAfter(text);
  if (statesA === null || statesB === null) return null;
  return productWitness(pa.nfa, pb.nfa, { text, a: statesA, b: statesB }, SEARCH_BUDGET);
}

/**
 * Matching a text costs up to its length times the states the automaton can be in at once: beyond
 * this, a shortcut is skipped and only the bounded search decides (crafted globs such as `*a` and
 * 250 `?` would otherwise cost a quadratic walk per try).
 */
const MAX_MATCH_WORK = 1 << 15;

function affordable(pattern: CompiledPattern, text: string): boolean {
  return text.length * pattern.nfa.size <= MAX_MATCH_WORK;
}

/**
 * Common shapes of overlap answered without a search, by gluing the cheapest paths of the two:
 * the longer forced prefix before the other's file name or path (`src/api/**` and
 * `src/**\/auth.ts`: `src/api/auth.ts`), one's folders before the other's file name or path
 * (`**\/gen/*.ts` and `**\/*.test.ts`: `gen/a.test.ts`). The shortest guess both match is the
 * witness; null sends the caller to the search.
 */
function guessWitness(pa: CompiledPattern, pb: CompiledPattern): string | null {
  const [longer, other] = pa.prefix.length >= pb.prefix.length ? [pa, pb] : [pb, pa];
  const sa = pa.sample!;
  const sb = pb.sample!;
  const folder = longer.prefix === '' ? '' : `${longer.prefix.replace(/\/$/, '')}/`;
  const os = other.sample!;
  // File names first: shorter guesses read better.
  const glued = [
    () => folder + nameOf(os),
    () => folderOf(sa) + nameOf(sb),
    () => folderOf(sb) + nameOf(sa),
    () => folder + os,
    () => folderOf(sa) + sb,
    () => folderOf(sb) + sa,
  ];
  for (const glue of glued) {
    const guess = glue();
    if (guess === '' || !affordable(pa, guess) || !affordable(pb, guess)) continue;
    if (pa.matcher.accepts(guess) && pb.matcher.accepts(guess) && isNormalPath(guess)) return guess;
  }
  return null;
}

/** `c` of `a/b/c`. */
function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `a/b/` of `a/b/c`; empty for a single name. */
function folderOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1);
}

/** Whether two forced prefixes (or suffixes) can belong to one path: one must extend the other. */
function affixesAgree(x: string, y: string, fromEnd: boolean): boolean {
  if (x.length <= y.length) return fromEnd ? y.endsWith(x) : y.startsWith(x);
  return fromEnd ? x.endsWith(y) : x.startsWith(y);
}

/**
 * Whether a literal, normalised file path matches the pattern. Every character of `path` is
 * itself (`app/[id]/page.tsx` is that file). A path that is not normalised (empty, `//`, `.` or
 * `..` segments, a leading or trailing `/`) names no file and matches nothing.
 */
export function matchesPath(pattern: Pattern, path: string): boolean {
  const p = compiled(pattern);
  if (p.literal !== null) return p.literal === path && isNormalPath(path);
  if (!path.startsWith(p.prefix) || !path.endsWith(p.suffix)) return false;
  return isNormalPath(path) && p.matcher.accepts(path);
}

/**
 * Whether the source is plain text naming one file: no unescaped `*`, `?`, `[`, `]`, `{`, `}`
 * and no trailing `/`. Syntax only; parsePattern still refuses what is invalid.
 */
export function isLiteral(source: string): boolean {
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[' || ch === ']' || ch === '{' || ch === '}') return false;
  }
  return !source.endsWith('/');
}

// Characters that mean something in a lock path; `(` because of extglobs such as `+(`, `!` because
// of a leading negation.
const SPECIAL = /[\\*?[\]{}(!]/g;

/** A lock path that matches exactly the file `path` (a literal, normalised path): specials escaped. */
export function escapeLiteral(path: string): string {
  return path.replace(SPECIAL, (ch) => `\\${ch}`);
}
