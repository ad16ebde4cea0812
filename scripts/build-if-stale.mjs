// Builds dist/ (npm run build) when it is missing or older than src/: what `npm run demo` needs on
// a fresh clone, now that installing does not build (the package has no `prepare` script, which npm
// would flag in every project installing the tarball; `prepack` builds what `npm pack` ships).

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const built = join(ROOT, 'dist', 'cli', 'bin.js');
if (!existsSync(built) || statSync(built).mtimeMs < newestMtime(join(ROOT, 'src'))) {
  const npm = process.env.npm_execpath;
  const result = npm
    ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: ROOT, stdio: 'inherit' })
    : spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
