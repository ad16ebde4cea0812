// Where the store's mutex lives: socket files in a short per-user directory, /tmp/agentvisor-<uid>/,
// one subdirectory per coordination dir named by a hash of the dir's real path (a dir deleted and
// made again keeps its mutex; symlinked spellings of one dir share it). Not in the coordination
// dir itself: Node silently truncates a socket path to 107 bytes (macOS: 103), and a project's
// path is often longer; a path that would be truncated is refused, never used.

import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { AgentvisorError } from '../core/errors.js';

/** The longest socket path Node binds whole: sizeof(sun_path) less the terminating NUL. */
export function socketPathLimit(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' ? 107 : 103;
}

/** Refuse a socket path that Node would truncate (and so bind somewhere else). */
export function checkSocketPath(path: string, platform: NodeJS.Platform = process.platform): string {
  const bytes = Buffer.byteLength(path);
  const limit = socketPathLimit(platform);
  if (bytes > limit) {
    throw new AgentvisorError('STORE_IO', `the socket path ${path} is ${bytes} bytes, longer than the ${limit} this system allows: it would be truncated`, { path, bytes, limit });
  }
  return path;
}

function uid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

/** /tmp/agentvisor-<uid>: made private (0700) if missing; refused when another user could write in it. */
export function socketRoot(): string {
  const root = `/tmp/agentvisor-${uid()}`;
  try {
    mkdirSync(root, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stat = lstatSync(root);
  if (!stat.isDirectory() || stat.uid !== uid() || (stat.mode & 0o022) !== 0) {
    throw new AgentvisorError(
      'STORE_IO',
      `refusing the socket dir ${root}: it must be a directory of uid ${uid()} that no one else can write to (it is ${stat.isDirectory() ? `owned by uid ${stat.uid}, mode ${(stat.mode & 0o777).toString(8)}` : 'not a directory'}); remove it and try again`,
      { path: root },
    );
  }
  return root;
}

/** The real path (symlinks resolved) is what stays the same when the dir is made again. */
export function dirIdentity(dir: string): string {
  try {
    return realpathSync.native(dir);
  } catch {
    return resolve(dir);
  }
}

/** The mutex's own directory for the coordination dir `dir` (made if missing). */
export function chainDirFor(dir: string): string {
  const hash = createHash('sha256').update(dirIdentity(dir)).digest('hex').slice(0, 32);
  const chain = `${socketRoot()}/${hash}`;
  mkdirSync(chain, { recursive: true, mode: 0o700 });
  return chain;
}
