#!/usr/bin/env node
// Copies the dashboard's page (hand-written HTML, CSS and JS, no framework) from src/dashboard/page
// to dist/dashboard/page, where the server serves it from. `npm run build` and the tests' global
// set-up run it after tsc.
//   node scripts/build-page.mjs [DIST]

import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const from = join(root, 'src', 'dashboard', 'page');
const dist = resolve(process.argv[2] ?? join(root, 'dist'));
const to = join(dist, 'dashboard', 'page');
// Staged per process and renamed into place file by file: two test set-ups building at once both end whole.
const staging = join(dist, 'dashboard', `.page-${process.pid}`);

mkdirSync(staging, { recursive: true });
const names = readdirSync(from).filter((name) => /\.(html|css|js|svg)$/.test(name));
for (const name of names) copyFileSync(join(from, name), join(staging, name));
mkdirSync(to, { recursive: true });
for (const name of names) renameSync(join(staging, name), join(to, name));
for (const name of readdirSync(to)) if (!names.includes(name)) rmSync(join(to, name), { force: true });
rmSync(staging, { recursive: true, force: true });
console.log(`copied the dashboard page: ${names.length} files into ${to}`);
