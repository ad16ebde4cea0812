#!/usr/bin/env node
// Bundles the guard command in place after tsc (dist/cli/commands/guard.js, plus chunks in
// guard-chunks/ for what it loads on demand): the guard starts on every edit an agent makes, and Node 20 spends
// ~0.5 ms per ES module it loads; the guard's ~30 modules become 3 files, p50 from ~1.5x to ~1.35x
// of `node -e 0` (BENCHMARKS.md, Guard). Not wired yet: needs `"build": "tsc -p tsconfig.build.json
// && node scripts/bundle-guard.mjs"` and rolldown as a devDependency (today it comes with vite).
//   node scripts/bundle-guard.mjs [DIST]

import { readdirSync, renameSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const dist = resolve(process.argv[2] ?? join(fileURLToPath(new URL('..', import.meta.url)), 'dist'));
const commands = join(dist, 'cli', 'commands');
// Shared with bin.js, which judges the errors that escape a command: one copy, so instanceof holds.
const shared = new Set([join(dist, 'core', 'errors.js')]);
const CHUNKS = 'guard-chunks';

function external(id, importer) {
  if (isBuiltin(id)) return true;
  if (!id.startsWith('.') && !id.startsWith('/')) return true; // a package: never inlined
  return shared.has(importer ? resolve(dirname(importer), id) : resolve(id));
}

const staging = join(commands, '.guard-bundle');
rmSync(staging, { recursive: true, force: true });
const bundle = await rolldown({ input: join(commands, 'guard.js'), platform: 'node', external });
try {
  await bundle.write({ dir: staging, format: 'esm', sourcemap: true, entryFileNames: 'guard.js', chunkFileNames: `${CHUNKS}/[name].js` });
} finally {
  await bundle.close();
}
// The previous chunks were read while bundling (when guard.js was already a bundle): replace them now.
rmSync(join(commands, CHUNKS), { recursive: true, force: true });
for (const name of readdirSync(staging)) renameSync(join(staging, name), join(commands, name));
rmSync(staging, { recursive: true, force: true });
console.log(`bundled the guard: ${join(commands, 'guard.js')} and ${readdirSync(join(commands, CHUNKS)).filter((n) => n.endsWith('.js')).length} chunks`);
