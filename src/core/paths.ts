// Lock paths and edited paths made relative to the root: absolute paths inside it, escapes out of
// it refused, an existing folder turned into its subtree. Glob syntax: core/glob (docs/globs.md).
import { realpathSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { AgentvisorError } from './errors.js';
import { escapeLiteral, matchesPath, parsePattern, type Pattern } from './glob/index.js';

export { escapeLiteral };

export interface PathOptions {
  /** The project root (absolute). */
  readonly root: string;
  /**
   * The folder a relative input is resolved against (absolute). Omitted, relative input is
   * relative to the root, as the contract says of lock paths.
   */
  readonly cwd?: string;
}

export interface NormalisedLockPath {
  /** The canonical lock path, relative to the root. */
  readonly path: string;
  /** True when the input named a folder (a trailing `/`, or an existing directory): `path` is its subtree. */
  readonly directory: boolean;
  /**
   * Set when the input is a glob but also the literal name of an existing file or folder that the
   * glob does not cover (`app/[id]/page.tsx`, where `[id]` is a class): the lock path that names
   * that file, so the CLI can point the user to it.
   */
  readonly existingLiteral?: string;
}

/**
 * A user's lock path (relative, or absolute inside the root) as the canonical, root-relative lock
 * path. Throws PATH_OUTSIDE_ROOT for a path that leaves the root, INVALID_LOCK_PATH for one naming
 * the root itself, and INVALID_GLOB (from parsing) for bad syntax.
 */
export function normaliseLockPath(input: string, options: PathOptions): NormalisedLockPath {
  const relative = relativeToRoot(input, options);
  if (relative === '') {
    throw new AgentvisorError('INVALID_LOCK_PATH', `lock path "${input}" names the root folder itself; lock "**" to mean everything`, {
      path: input,
    });
  }
  const pattern = resolvedPattern(parsePattern(relative), options.root);
  const folder = relative.endsWith('/'); // an escaped `\/` is a separator too
  if (pattern.literal !== null && isDirectory(posix.join(posix.resolve(options.root), pattern.literal))) {
    return { path: parsePattern(`${pattern.source}/**`).source, directory: true };
  }
  const result = { path: pattern.source, directory: folder };
  const existingLiteral = literalTwin(relative, pattern, options.root);
  return existingLiteral === undefined ? result : { ...result, existingLiteral };
}

/**
 * The lock path with its leading plain names resolved through symlinks inside the root, so that a
 * symlinked folder is judged as the files it is (`lib -> src`: `lib/**` is `src/**`). Names after
 * the first glob character, and links leading out of the root, are left as they are.
 */
function resolvedPattern(pattern: Pattern, root: string): Pattern {
  const segments = pattern.source.split('/');
  const plain: string[] = [];
  for (const segment of segments) {
    if (/[*?[\]{}\\]/.test(segment)) break;
    plain.push(segment);
  }
  const real = realInsideRoot(plain, root);
  if (real === null) return pattern;
  return parsePattern([...real.map(escapeLiteral), ...segments.slice(real.consumed)].join('/'));
}

/**
 * The deepest existing prefix of `names` (plain names under the root) resolved through symlinks:
 * its real names under the root and how many of `names` it stands for; null when nothing is a
 * symlink, nothing exists, or the link leads out of the root (or to the root itself).
 */
function realInsideRoot(names: readonly string[], root: string): (string[] & { consumed: number }) | null {
  if (names.length === 0) return null;
  const realRoot = rootForms(root).at(-1)!;
  for (let n = names.length; n > 0; n--) {
    let real: string;
    try {
      real = realpathSync(posix.join(posix.resolve(root), ...names.slice(0, n)));
    } catch {
      continue;
    }
    const relative = posix.relative(realRoot, real);
    if (relative === '' || relative === '..' || relative.startsWith('../') || posix.isAbsolute(relative)) return null;
    if (relative === names.slice(0, n).join('/')) return null;
    return Object.assign(relative.split('/'), { consumed: n });
  }
  return null;
}

/** The escaped lock path of an existing file literally named like the glob `relative`, when the glob misses it. */
function literalTwin(relative: string, pattern: Pattern, root: string): string | undefined {
  if (pattern.literal !== null || relative.includes('\\')) return undefined;
  const name = parsePattern(escapeLiteral(relative.replace(/\/+$/, ''))).literal;
  if (name === null || matchesPath(pattern, name)) return undefined;
  const stat = statSync(posix.join(posix.resolve(root), name), { throwIfNoEntry: false });
  if (stat === undefined) return undefined;
  return parsePattern(escapeLiteral(name) + (stat.isDirectory() ? '/**' : '')).source;
}

/**
 * A literal path (from a hook, a watcher, git) relative to the root, normalised, with nothing
 * escaped; null when it lies outside the root or is the root itself.
 */
export function normaliseLiteralPath(input: string, options: PathOptions): string | null {
  if (input === '' || input.includes('\0')) return null;
  const absolute = posix.resolve(options.cwd ?? options.root, input);
  for (const root of rootForms(options.root)) {
    const relative = posix.relative(root, absolute);
    if (relative !== '' && !relative.startsWith('../') && relative !== '..' && !posix.isAbsolute(relative)) {
      // Through a symlinked folder inside the root, a path is the file it reaches.
      const names = relative.split('/');
      const real = realInsideRoot(names, options.root);
      return real === null ? relative : [...real, ...names.slice(real.consumed)].join('/');
    }
  }
  return null;
}

/**
 * The input relative to the root, as text still holding its glob syntax. Leading `.`, `..` and
 * empty segments are resolved against the base folder (and must not climb out of the root); the
 * rest is left to the glob parser, which refuses a `..` further in.
 */
function relativeToRoot(input: string, options: PathOptions): string {
  if (input.includes('\0')) {
    throw new AgentvisorError('INVALID_LOCK_PATH', `lock path "${input.replace(/\0/g, '\\0')}" holds a NUL character`, { path: input });
  }
  if (input === '') parsePattern(input); // throws the empty-path error
  const base = input.startsWith('/') ? [] : split(posix.resolve(options.cwd ?? options.root));
  const parts = input.split('/');
  let i = 0;
  for (; i < parts.length && (parts[i] === '' || parts[i] === '.' || parts[i] === '..'); i++) {
    if (parts[i] === '..') base.pop();
  }
  const rest = parts.slice(i);
  const roots = rootForms(options.root);
  const spellings = [() => ({ base, rest }), () => realSpelling(base, rest)]; // symlinks only if needed
  for (const spell of spellings) {
    const spelling = spell();
    for (const root of roots) {
      const inside = stripRoot(split(root), spelling.base, spelling.rest);
      if (inside !== null && !climbsOut(inside)) return inside;
    }
  }
  throw new AgentvisorError('PATH_OUTSIDE_ROOT', `lock path "${input}" is outside the root ${options.root}; lock paths name files inside it`, {
    path: input,
    root: options.root,
  });
}

/** Whether a later `..` would take the path above the root (any other `..` the parser refuses). */
function climbsOut(relative: string): boolean {
  let depth = 0;
  for (const part of relative.split('/')) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) return true;
  }
  return false;
}

/**
 * The input with the deepest existing folder among its plain leading names resolved through
 * symlinks, so `/link/src/a.ts` is inside a root `/real` when `/link` points there.
 */
function realSpelling(base: readonly string[], rest: readonly string[]): { base: string[]; rest: string[] } {
  const names = [...base];
  for (const part of rest.slice(0, -1)) {
    if (part === '' || part === '.' || part === '..' || /[*?[\]{}\\]/.test(part)) break;
    names.push(part);
  }
  for (let n = names.length; n > 0; n--) {
    try {
      const real = split(realpathSync(`/${names.slice(0, n).join('/')}`));
      const used = Math.max(0, n - base.length);
      return { base: real.concat(base.slice(n)), rest: rest.slice(used) };
    } catch {
      // not there: try a shorter prefix
    }
  }
  return { base: [...base], rest: [...rest] };
}

function stripRoot(root: readonly string[], base: readonly string[], rest: readonly string[]): string | null {
  const full = [...base];
  let r = 0;
  // The part of `rest` still inside the root's own folders must be plain names; resolve it.
  while (full.length < root.length && r < rest.length) {
    const part = rest[r++]!;
    if (part === '' || part === '.') continue;
    if (part === '..') full.pop();
    else full.push(part);
  }
  if (full.length < root.length || root.some((segment, k) => full[k] !== segment)) return null;
  return [...full.slice(root.length), ...rest.slice(r)].join('/').replace(/^\/+/, '');
}

function split(absolute: string): string[] {
  return absolute.split('/').filter((part) => part !== '');
}

/** The root as given and as the file system resolves it (symlinks), so either spelling is inside. */
function rootForms(root: string): string[] {
  const given = posix.resolve(root);
  try {
    const real = realpathSync(given);
    return real === given ? [given] : [given, real];
  } catch {
    return [given];
  }
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
