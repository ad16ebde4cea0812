// What the change watcher watches: the project root (or, past the inotify budget, only the owned
// paths' base folders), never the coordination dir, `.git`, `node_modules`, what git ignores, or
// editors' swap and backup files. Worked out asynchronously: agents start while it runs.

import { execFile } from 'node:child_process';
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { isPortable } from '../platform/system.js';

const ALWAYS_IGNORED = new Set(['.git', 'node_modules']);
/** Editors' artefacts of an atomic save (what chokidar's `atomic` option hides): vim swap files, `x~`, Sublime temps. */
const EDITOR_ARTEFACT = /^\..*\.sw[px]$|~$|\.subl.*\.tmp$/;

export interface WatchPlan {
  /** Absolute paths to hand to the watcher. */
  targets: string[];
  /** Whether everything under root is watched (else only owned bases: unowned changes elsewhere go unseen). */
  wholeRoot: boolean;
  ignored: (absolutePath: string) => boolean;
}

/** Paths git ignores (folders with a trailing '/'), relative to root; empty outside a git work tree. */
function gitIgnored(root: string, signal: AbortSignal): Promise<Set<string>> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['ls-files', '--others', '--ignored', '--exclude-standard', '--directory', '-z'],
      { cwd: root, encoding: 'utf8', timeout: 5_000, maxBuffer: 64 * 1024 * 1024, signal },
      (error, out) => {
        if (error) return resolve(new Set());
        resolve(new Set(out.split('\0').filter(Boolean).map((p) => (p.endsWith('/') ? p.slice(0, -1) : p))));
      },
    ).stdin?.end();
  });
}

export function ignoreRuleFor(root: string, coordinationDir: string, ignored: Set<string>): (absolutePath: string) => boolean {
  return (absolutePath) => {
    if (absolutePath === coordinationDir || absolutePath.startsWith(coordinationDir + sep)) return true;
    const rel = relative(root, absolutePath);
    if (rel === '' || rel.startsWith('..')) return false;
    if (EDITOR_ARTEFACT.test(basename(absolutePath))) return true;
    const segments = rel.split(sep);
    if (segments.some((s) => ALWAYS_IGNORED.has(s))) return true;
    for (let i = 1; i <= segments.length; i++) if (ignored.has(segments.slice(0, i).join('/'))) return true;
    return false;
  };
}

/** inotify's per-user watch limit; we allow ourselves a quarter of it (other tools need theirs). */
async function watchBudget(): Promise<number> {
  // Only Linux has inotify and this file (macOS's FSEvents has no such limit).
  if (isPortable()) return 2_000;
  try {
    return Math.max(256, Math.floor(Number(await readFile('/proc/sys/fs/inotify/max_user_watches', 'utf8')) / 4));
  } catch {
    return 2_000;
  }
}

/** Folders under root that would be watched, counting until `budget` is passed. */
async function countFolders(root: string, ignored: (p: string) => boolean, budget: number, signal: AbortSignal): Promise<number> {
  let count = 0;
  const stack = [root];
  while (stack.length > 0 && count <= budget && !signal.aborted) {
    const dir = stack.pop()!;
    count++;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory() && !ignored(full)) stack.push(full);
    }
  }
  return count;
}

/** The literal folder a lock path starts with (`src/api/**` → `src/api`; `**\/x` → root). */
export function baseFolder(lockPath: string): string {
  const segments = lockPath.split('/');
  const literal: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (/[*?[\]{}\\]/.test(segment)) break;
    literal.push(segment);
  }
  return literal.join('/');
}

export async function planWatch(root: string, coordinationDir: string, ownedPaths: string[], signal: AbortSignal): Promise<WatchPlan> {
  const [gitIgnoredPaths, budget] = await Promise.all([gitIgnored(root, signal), watchBudget()]);
  const ignored = ignoreRuleFor(root, coordinationDir, gitIgnoredPaths);
  if ((await countFolders(root, ignored, budget, signal)) <= budget) return { targets: [root], wholeRoot: true, ignored };
  const bases = [...new Set(ownedPaths.map(baseFolder))].map((b) => (b === '' ? root : join(root, b)));
  return { targets: bases.length > 0 ? bases : [], wholeRoot: false, ignored };
}
