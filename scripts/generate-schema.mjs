#!/usr/bin/env node
// Writes agents.config.schema.json at the package root from the zod schema, via the built
// dist/config/json-schema.js (run after `tsc -p tsconfig.build.json`). `--check` only compares and
// exits 1 when the committed file is out of date.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const target = fileURLToPath(new URL('../agents.config.schema.json', import.meta.url));
const { renderConfigJsonSchema } = await import(new URL('../dist/config/json-schema.js', import.meta.url).href);
const text = renderConfigJsonSchema();

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as out of date
  }
  if (current !== text) {
    console.error('agents.config.schema.json is out of date: run `node scripts/generate-schema.mjs` after building');
    process.exitCode = 1;
  }
} else {
  writeFileSync(target, text);
}
