// Builds dist/ before the tests the way `npm run build` does (tsc, then scripts/bundle-cli.mjs), so
// that the tests run what ships: fixture processes import the built library, CLI tests run the
// bundled CLI. tsc runs only when src/ is newer than dist/; the bundle script runs every time and
// returns at once when dist/cli/bin.js is already its bundle (someone may have run plain tsc since).

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function compile(built: string): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    // Type errors still emit JavaScript; only a missing build is fatal.
    if (!existsSync(built)) throw error;
  }
}

export default function setup(): void {
  const built = join(ROOT, 'dist', 'index.js');
  if (!existsSync(built) || statSync(built).mtimeMs < newestMtime(join(ROOT, 'src'))) compile(built);
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle-cli.mjs')], { cwd: ROOT, stdio: 'pipe' });
  // The dashboard's page (plain files): copied every time, it is cheap.
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-page.mjs')], { cwd: ROOT, stdio: 'pipe' });
}
