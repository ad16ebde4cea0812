// Sets of characters one pattern position accepts: sorted, disjoint, inclusive code-point ranges.

/** `[lo0, hi0, lo1, hi1, ...]`, sorted and disjoint. */
export type CharSet = readonly number[];

export const SLASH = 0x2f;
export const DOT = 0x2e;
const MAX_CODE_POINT = 0x10ffff;

/** Every character a file name may hold: not NUL (no path can hold it), not `/`. */
export const ANY: CharSet = [1, SLASH - 1, SLASH + 1, MAX_CODE_POINT];
export const SLASH_SET: CharSet = [SLASH, SLASH];

export function single(cp: number): CharSet {
  return [cp, cp];
}

export function contains(set: CharSet, cp: number): boolean {
  for (let i = 0; i < set.length; i += 2) {
    if (cp < set[i]!) return false;
    if (cp <= set[i + 1]!) return true;
  }
  return false;
}

/** The code point when the set holds exactly one, else -1. */
export function onlyMember(set: CharSet): number {
  return set.length === 2 && set[0] === set[1] ? set[0]! : -1;
}

/** Sorted, merged ranges, clipped to ANY (a class never matches `/` or NUL). */
export function fromRanges(ranges: ReadonlyArray<readonly [number, number]>): CharSet {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const merged: number[] = [];
  for (const [lo, hi] of sorted) {
    const last = merged.length - 1;
    if (last > 0 && lo <= merged[last]! + 1) merged[last] = Math.max(merged[last]!, hi);
    else merged.push(lo, hi);
  }
  return intersect(merged, ANY);
}

/** ANY minus the set: what a negated class `[!...]` accepts. */
export function complement(set: CharSet): CharSet {
  const gaps: number[] = [];
  let next = 0;
  for (let i = 0; i < set.length; i += 2) {
    if (set[i]! > next) gaps.push(next, set[i]! - 1);
    next = set[i + 1]! + 1;
  }
  if (next <= MAX_CODE_POINT) gaps.push(next, MAX_CODE_POINT);
  return intersect(gaps, ANY);
}

export function intersect(a: CharSet, b: CharSet): CharSet {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]!, b[j]!);
    const hi = Math.min(a[i + 1]!, b[j + 1]!);
    if (lo <= hi) out.push(lo, hi);
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return out;
}

// Witness characters people read easily, tried in order when a wildcard leaves the choice open.
const READABLE: readonly number[] = [
  ...range('a', 'z'),
  ...range('0', '9'),
  ...range('A', 'Z'),
  '_'.codePointAt(0)!,
  '-'.codePointAt(0)!,
];

function range(from: string, to: string): number[] {
  const out: number[] = [];
  for (let cp = from.codePointAt(0)!; cp <= to.codePointAt(0)!; cp++) out.push(cp);
  return out;
}

/**
 * A character both sets accept that is neither `.` nor `/` (those change what a segment is),
 * preferring a literal one side names, then a readable one; -1 when there is none.
 */
export function pickOrdinary(a: CharSet, b: CharSet): number {
  const onlyA = onlyMember(a);
  if (onlyA >= 0) return onlyA !== DOT && onlyA !== SLASH && contains(b, onlyA) ? onlyA : -1;
  const onlyB = onlyMember(b);
  if (onlyB >= 0) return onlyB !== DOT && onlyB !== SLASH && contains(a, onlyB) ? onlyB : -1;
  for (const cp of READABLE) if (contains(a, cp) && contains(b, cp)) return cp;
  const both = intersect(a, b);
  for (let i = 0; i < both.length; i += 2) {
    for (let cp = both[i]!; cp <= both[i + 1]! && cp <= both[i]! + 2; cp++) {
      if (cp !== DOT && cp !== SLASH && cp !== 0) return cp;
    }
  }
  return -1;
}
