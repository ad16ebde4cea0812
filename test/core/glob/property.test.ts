// Overlap against an independent reference: random small patterns, every short path enumerated,
// and random longer paths. A path matching both implies overlap; a witness matches both.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesPath, overlapWitness, parsePattern, type Pattern } from '../../../src/core/glob/index.js';

// ---- the reference: brace expansion as text, then segment-by-segment regular expressions ----

function expandBraces(text: string): string[] {
  const open = text.indexOf('{');
  if (open < 0) return [text];
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < text.length && close < 0; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) close = i;
    else if (text[i] === ',' && depth === 1) commas.push(i);
  }
  const cuts = [open, ...commas, close];
  const options = cuts.slice(1).map((end, k) => text.slice(cuts[k]! + 1, end));
  return options.flatMap((option) => expandBraces(text.slice(0, open) + option + text.slice(close + 1)));
}

/** `./`, `//` dropped, trailing `/` as `/**`, runs of `**` collapsed: the documented normalisation. */
function referenceSegments(alternative: string): string[] {
  const parts = alternative.split('/');
  const kept: string[] = [];
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    if (part === '' && last && kept.length > 0) kept.push('**');
    else if (part !== '' && part !== '.' && !(part === '**' && kept[kept.length - 1] === '**')) kept.push(part);
  });
  return kept;
}

const regexCache = new Map<string, RegExp>();
function segmentRegex(segment: string): RegExp {
  let re = regexCache.get(segment);
  if (re === undefined) {
    const body = segment.replace(/\[ab\]|\[!a\]|\*|\?|[.]/g, (t) =>
      t === '*' ? '[^/]*' : t === '?' ? '[^/]' : t === '.' ? '\\.' : t === '[!a]' ? '[^/a]' : t,
    );
    re = new RegExp(`^${body}$`);
    regexCache.set(segment, re);
  }
  return re;
}

function matchSegments(segments: readonly string[], i: number, parts: readonly string[], j: number): boolean {
  if (i === segments.length) return j === parts.length;
  if (segments[i] === '**') {
    for (let k = j; k <= parts.length; k++) if (matchSegments(segments, i + 1, parts, k)) return true;
    return false;
  }
  return j < parts.length && segmentRegex(segments[i]!).test(parts[j]!) && matchSegments(segments, i + 1, parts, j + 1);
}

function referenceMatch(source: string, path: string): boolean {
  const parts = path.split('/');
  return expandBraces(source).some((alt) => {
    const segments = referenceSegments(alt);
    return segments.length > 0 && matchSegments(segments, 0, parts, 0);
  });
}

function isRealPath(path: string): boolean {
  return path !== '' && path.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

// ---- generators ----

const TOKENS = ['a', 'b', '.', '/', '*', '?', '**', '[ab]', '[!a]', '{a,b/c}', '{a,}'];

function accepted(source: string): boolean {
  try {
    parsePattern(source);
    return true;
  } catch {
    return false;
  }
}

const patternSource = fc
  .array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 6 })
  .map((tokens) => tokens.join(''))
  .filter(accepted);

const segment = fc
  .array(fc.constantFrom('a', 'b', 'c', '.'), { minLength: 1, maxLength: 4 })
  .map((cs) => cs.join(''))
  .filter((s) => s !== '.' && s !== '..');
const realPath = fc.array(segment, { minLength: 1, maxLength: 5 }).map((segs) => segs.join('/'));

/** Every real path over {a, b, c, ., /} up to `max` characters. */
function allPaths(max: number): string[] {
  const out: string[] = [];
  let layer = [''];
  for (let n = 1; n <= max; n++) {
    layer = layer.flatMap((s) => ['a', 'b', 'c', '.', '/'].map((ch) => s + ch));
    out.push(...layer.filter(isRealPath));
  }
  return out;
}

// ---- properties ----

describe('overlap against the reference', () => {
  it('the reference agrees with the documented examples', () => {
    expect(referenceMatch('src/**', 'src')).toBe(true);
    expect(referenceMatch('a/**/c', 'a/c')).toBe(true);
    expect(referenceMatch('x/{a,b/c}/y', 'x/b/c/y')).toBe(true);
    expect(referenceMatch('a*', 'a/b')).toBe(false);
    expect(referenceMatch('a/', 'a/b')).toBe(true);
  });

  it('matchesPath agrees with the reference on random paths, and a path matching both means overlap', () => {
    fc.assert(
      fc.property(patternSource, patternSource, realPath, (a, b, path) => {
        const pa = parsePattern(a);
        const pb = parsePattern(b);
        const ma = referenceMatch(a, path);
        const mb = referenceMatch(b, path);
        expect(matchesPath(pa, path)).toBe(ma);
        expect(matchesPath(pb, path)).toBe(mb);
        const witness = overlapWitness(pa, pb);
        if (ma && mb) expect(witness).not.toBeNull();
        if (witness !== null) {
          expect(isRealPath(witness)).toBe(true);
          expect(referenceMatch(a, witness)).toBe(true);
          expect(referenceMatch(b, witness)).toBe(true);
        }
        expect(overlapWitness(pb, pa) === null).toBe(witness === null);
        // The canonical text means the same and is its own canonical text.
        const canonical = parsePattern(pa.source);
        expect(canonical.source).toBe(pa.source);
        expect(matchesPath(canonical, path)).toBe(ma);
      }),
      { numRuns: Number(process.env.GLOB_PROPERTY_RUNS ?? 600) },
    );
  });

  it('overlap exactly when a common path exists, checked over every short path', () => {
    const MAX = 5;
    const paths = allPaths(MAX);
    const matchSets = new Map<string, Uint8Array>();
    const matchSet = (source: string): Uint8Array => {
      let set = matchSets.get(source);
      if (set === undefined) {
        set = Uint8Array.from(paths, (path) => (referenceMatch(source, path) ? 1 : 0));
        matchSets.set(source, set);
      }
      return set;
    };
    fc.assert(
      fc.property(patternSource, patternSource, (a, b) => {
        const sa = matchSet(a);
        const sb = matchSet(b);
        const common = paths.find((_, i) => sa[i] === 1 && sb[i] === 1);
        const pa: Pattern = parsePattern(a);
        const witness = overlapWitness(pa, parsePattern(b));
        if (common !== undefined) expect(witness, `${a} vs ${b} share ${common}`).not.toBeNull();
        if (witness !== null) {
          expect(referenceMatch(a, witness) && referenceMatch(b, witness)).toBe(true);
          // A witness short enough to be enumerated would have been found there.
          if (common === undefined) expect(witness.length).toBeGreaterThan(MAX);
        }
        // Every enumerated path is matched exactly as the reference says.
        paths.forEach((path, i) => {
          if (matchesPath(pa, path) !== (sa[i] === 1)) expect.fail(`${a} vs ${path}`);
        });
      }),
      { numRuns: Number(process.env.GLOB_PROPERTY_RUNS ?? 250) },
    );
  });
});
