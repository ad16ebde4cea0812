#!/usr/bin/env node
// Runs every benchmark under bench/ (files named *.bench.mjs), one after another so they do not
// compete for the two cores, or only those named on the command line:
//   npm run bench                 # all
//   npm run bench -- store guard  # bench/store.bench.mjs and bench/guard.bench.mjs
// Each benchmark runs its baseline in the same run and prints ratios; record results in BENCHMARKS.md.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.mjs'))
  .filter((name) => wanted.length === 0 || wanted.includes(name.replace(/\.bench\.mjs$/, '')))
  .sort();

if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(', ')}`);
  process.exit(2);
}

let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} (node bench/${file})`);
  const result = spawnSync(process.execPath, [`${here}${file}`], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
