// Brace ranges ({1..3}, {01..10}, {a..e}, {1..9..2}) and bounded expansion of path-level braces.

/** The most items a range may produce, and the most path-level alternatives a pattern may expand to. */
export const MAX_ALTERNATIVES = 4096;

const NUMERIC = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/;
const LETTERS = /^([a-zA-Z])\.\.([a-zA-Z])(?:\.\.(-?\d+))?$/;

/**
 * The items of a brace range, or null when `inner` is not one (then it is a single alternative).
 * Numeric ranges count up or down; when an end is written with a leading zero every item is
 * zero-padded to the wider end's width. Letter ranges run between two letters of the same case.
 */
export function braceRange(inner: string, fail: (problem: string) => Error): string[] | null {
  const numeric = NUMERIC.exec(inner);
  if (numeric !== null) return numericRange(numeric[1]!, numeric[2]!, numeric[3], fail);
  const letters = LETTERS.exec(inner);
  if (letters === null) return null;
  const [from, to] = [letters[1]!, letters[2]!];
  if (isUpper(from) !== isUpper(to)) return null;
  const codes = steps(from.codePointAt(0)!, to.codePointAt(0)!, letters[3], inner, fail);
  return codes.map((cp) => String.fromCodePoint(cp));
}

function isUpper(letter: string): boolean {
  return letter >= 'A' && letter <= 'Z';
}

function numericRange(from: string, to: string, step: string | undefined, fail: (p: string) => Error): string[] {
  const inner = `${from}..${to}${step === undefined ? '' : `..${step}`}`;
  const values = steps(Number(from), Number(to), step, inner, fail);
  const padded = /^-?0\d/.test(from) || /^-?0\d/.test(to);
  const width = padded ? Math.max(from.length, to.length) : 0;
  return values.map((n) => (n < 0 ? `-${String(-n).padStart(width - 1, '0')}` : String(n).padStart(width, '0')));
}

function steps(from: number, to: number, stepText: string | undefined, inner: string, fail: (p: string) => Error): number[] {
  const step = stepText === undefined ? 1 : Math.abs(Number(stepText));
  if (step === 0) throw fail(`brace range "{${inner}}" has a step of 0`);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw fail(`brace range "{${inner}}" is too large`);
  const count = Math.floor(Math.abs(to - from) / step) + 1;
  if (count > MAX_ALTERNATIVES) {
    throw fail(`brace range "{${inner}}" has ${count} items, more than ${MAX_ALTERNATIVES}`);
  }
  const direction = to >= from ? 1 : -1;
  return Array.from({ length: count }, (_, i) => from + direction * step * i);
}
