// From the paths a tool names to literal paths relative to root (POSIX separators): relative paths
// resolve against the session's cwd; paths outside root drop out (the guard allows them). A root
// reached through a symlink is compared by its real path too, since clients report either form.

import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

export function literalTargets(paths: string[], root: string, base: string): string[] {
  const targets: string[] = [];
  for (const given of paths) {
    const path = literalUnderRoot(resolve(base, given), root);
    if (path !== null && !targets.includes(path)) targets.push(path);
  }
  return targets;
}

/** The path relative to root, or null when it is outside root (or root itself). */
export function literalUnderRoot(absolute: string, root: string): string | null {
  const direct = inside(absolute, root);
  if (direct !== null) return direct;
  const realRoot = realpathOrNull(root);
  const realPath = realpathOfNearest(absolute);
  return realRoot !== null && realPath !== null ? inside(realPath, realRoot) : null;
}

function inside(path: string, root: string): string | null {
  const rel = relative(root, path);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
  return rel.split(sep).join('/');
}

/** The real path of the nearest existing ancestor, with the missing rest appended. */
function realpathOfNearest(path: string): string | null {
  let missing = '';
  let current = path;
  for (;;) {
    const real = realpathOrNull(current);
    if (real !== null) return missing ? resolve(real, missing) : real;
    const parent = dirname(current);
    if (parent === current) return null;
    missing = missing ? `${current.slice(parent.length + 1)}${sep}${missing}` : current.slice(parent.length + 1);
    current = parent;
  }
}

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}
