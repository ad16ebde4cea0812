// Normalising a lock path: the canonical text (no ./, no //, trailing / as /**) and, after brace
// expansion, the segments each alternative is made of.
import { DOT } from './charset.js';
import { MAX_ALTERNATIVES } from './braces.js';
import type { Atom } from './parse.js';
import { refuseGlob } from './refuse.js';

export type Segment = { readonly kind: 'globstar' } | { readonly kind: 'atoms'; readonly atoms: readonly Atom[] };
export type Alternative = readonly Segment[];

const GLOBSTAR: Segment = { kind: 'globstar' };

/**
 * The canonical text of a parsed source: top-level `.` and empty segments dropped, a trailing `/`
 * turned into `/**`, runs of `**` collapsed. Refuses what is left meaningless or unsupported.
 */
export function canonicalText(source: string, atoms: readonly Atom[]): string {
  if (source.startsWith('/')) {
    throw refuseGlob(source, 'it starts with "/"', 0, 'lock paths are relative to the root (an absolute path is made relative by the CLI)');
  }
  const pieces: Array<{ text: string; at: number }> = [];
  let start = 0;
  for (const atom of atoms) {
    if (atom.kind !== 'slash') continue;
    pieces.push({ text: source.slice(start, atom.at), at: start });
    start = atom.end;
  }
  pieces.push({ text: source.slice(start), at: start });

  const kept: string[] = [];
  pieces.forEach(({ text, at }, i) => {
    const last = i === pieces.length - 1;
    if (text === '' && !last) return;
    if (text === '.' && !last) return;
    if (text === '.' || text === '..') {
      throw refuseGlob(source, `"${text}" is not allowed as a path segment`, at, 'name the path from the root without "." or ".."');
    }
    if (text === '') {
      // A trailing `/`: that folder and everything under it.
      if (kept.length > 0 && kept[kept.length - 1] !== '**') kept.push('**');
      return;
    }
    if (kept.length === 0 && text.startsWith('!')) {
      throw refuseGlob(source, 'a leading "!" (negation) is not supported', at, 'lock the paths you mean, or escape it as "\\!"');
    }
    if (!(text === '**' && kept[kept.length - 1] === '**')) kept.push(text);
  });
  if (kept.length === 0) throw refuseGlob(source, 'it names no path (empty after normalising)');
  return kept.join('/');
}

/**
 * Expand path-level braces (bounded) and split each alternative into normalised segments. An
 * empty alternative (the nothing of `{a,}`) matches no file, so it is dropped; one that is only
 * slashes (`{a,}/`, whose canonical text `{a,}/**` would otherwise turn "nothing/" into `**`) is
 * refused, as is a source where nothing is left.
 */
export function alternatives(source: string, atoms: readonly Atom[]): Alternative[] {
  const kept: Alternative[] = [];
  for (const flat of expand(source, atoms)) {
    const segments = toSegments(source, flat);
    if (segments.length > 0) kept.push(segments);
    else if (flat.some((atom) => atom.kind === 'slash')) {
      throw refuseGlob(source, `one of its alternatives names no path ("${render(flat)}")`, undefined, 'give every brace alternative a name');
    }
  }
  if (kept.length === 0) throw refuseGlob(source, 'it names no path (every alternative is empty)');
  return kept;
}

function expand(source: string, atoms: readonly Atom[]): Atom[][] {
  let results: Atom[][] = [[]];
  for (const atom of atoms) {
    if (atom.kind !== 'alt' || !atom.expand) {
      for (const r of results) r.push(atom);
      continue;
    }
    const options = atom.alts.flatMap((alt) => expand(source, alt));
    if (results.length * options.length > MAX_ALTERNATIVES) {
      throw refuseGlob(source, `its braces expand to more than ${MAX_ALTERNATIVES} alternatives`, undefined, 'lock fewer, broader paths');
    }
    results = results.flatMap((r) => options.map((o) => [...r, ...o]));
  }
  return results;
}

function toSegments(source: string, flat: readonly Atom[]): Segment[] {
  const raw: Atom[][] = [[]];
  for (const atom of flat) {
    if (atom.kind === 'slash') raw.push([]);
    else raw[raw.length - 1]!.push(atom);
  }
  const segments: Segment[] = [];
  raw.forEach((atoms, i) => {
    const last = i === raw.length - 1;
    const text = literalText(atoms);
    if (atoms.length === 0 || (text === '.' && !last)) {
      if (last && atoms.length === 0 && segments.length > 0) push(segments, GLOBSTAR);
      return;
    }
    if (text === '.' || text === '..') {
      throw refuseGlob(source, `its braces produce "${text}" as a path segment (in "${render(flat)}")`);
    }
    if (minLength(atoms) > MAX_NAME) {
      throw refuseGlob(source, `a path segment in it needs more than ${MAX_NAME} characters, longer than any file name can be`, undefined, 'lock a shorter name or a broader glob');
    }
    const globstar = atoms.length === 2 && atoms[0]!.kind === 'star' && atoms[1]!.kind === 'star';
    push(segments, globstar ? GLOBSTAR : { kind: 'atoms', atoms });
  });
  return segments;
}

/**
 * A file name is at most 255 bytes (NAME_MAX on Linux and macOS), so a segment that needs more
 * characters matches no file. Refusing it also bounds the work of every overlap decision: crafted
 * segments such as `*a` and 2,000 `?` made the search quadratic in their length.
 */
const MAX_NAME = 255;

/** The fewest characters a segment's atoms can match. */
function minLength(atoms: readonly Atom[]): number {
  let total = 0;
  for (const atom of atoms) {
    if (atom.kind === 'char' || atom.kind === 'any' || atom.kind === 'class') total += 1;
    else if (atom.kind === 'alt') total += Math.min(...atom.alts.map(minLength));
  }
  return total;
}

function push(segments: Segment[], segment: Segment): void {
  const previous = segments[segments.length - 1];
  if (segment.kind === 'globstar' && previous?.kind === 'globstar') return;
  segments.push(segment);
}

/** The text of a segment made only of literal characters, else null. */
function literalText(atoms: readonly Atom[]): string | null {
  let text = '';
  for (const atom of atoms) {
    if (atom.kind !== 'char') return null;
    text += String.fromCodePoint(atom.cp);
  }
  return text;
}

/** Atoms back to readable text, for messages. */
export function render(atoms: readonly Atom[]): string {
  return atoms
    .map((atom) => {
      switch (atom.kind) {
        case 'char':
          return atom.cp === DOT ? '.' : String.fromCodePoint(atom.cp);
        case 'any':
          return '?';
        case 'star':
          return '*';
        case 'class':
          return '[…]';
        case 'slash':
          return '/';
        case 'alt':
          return `{${atom.alts.map(render).join(',')}}`;
      }
    })
    .join('');
}
