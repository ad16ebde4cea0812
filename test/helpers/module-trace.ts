// Recording which modules a CLI process loads (ESM through a resolve hook, CommonJS through
// Module._resolveFilename), to prove that hot paths load none of the heavy packages. The CLI is
// bundled (scripts/bundle-cli.mjs): a loaded file also counts as every module its source map
// names, so a package inlined into a chunk is still seen.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { testDir } from './tempdir.js';

/** The packages that hot paths (guard, lock, check, ...) must never load. */
export const HEAVY_PACKAGES = /\/node_modules\/(zod|yargs|execa|pino|pino-pretty|chokidar|@modelcontextprotocol)\//;

const HOOKS = `
import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(out, result.url + '\\n');
  return result;
}
`;

// pino is CommonJS: require() resolution goes through _resolveFilename, not the ESM hook.
const REGISTER = `
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
register('./hooks.mjs', import.meta.url, { data: { out: process.env.RESOLVED_LOG } });
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const file = resolveFilename.apply(this, args);
  appendFileSync(process.env.RESOLVED_LOG, file + '\\n');
  return file;
};
`;

export interface ModuleTrace {
  /** Environment for one traced process; its resolved modules are read back with `resolved(name)`. */
  env(name: string): Record<string, string>;
  /** Every URL (or CommonJS path) resolved, then the file URLs of the sources of each that has a source map. */
  resolved(name: string): string[];
  /** Only what was resolved: the files themselves, not what they were built from. */
  loaded(name: string): string[];
}

/** The modules a built file was made from (src/*.ts, node_modules/...), per its `.map`; none without one. */
function sourcesOf(url: string): string[] {
  if (!url.startsWith('file:')) return [];
  const file = fileURLToPath(url);
  if (!existsSync(`${file}.map`)) return [];
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources?: string[]; sourceRoot?: string };
  const root = resolve(dirname(file), map.sourceRoot ?? '');
  return (map.sources ?? []).map((source) => pathToFileURL(resolve(root, source)).href);
}

export function moduleTrace(): ModuleTrace {
  const dir = testDir({ 'hooks.mjs': HOOKS, 'register.mjs': REGISTER });
  const log = (name: string) => join(dir, `resolved-${name}.log`);
  const loaded = (name: string) => readFileSync(log(name), 'utf8').split('\n').filter(Boolean);
  return {
    env(name) {
      writeFileSync(log(name), '');
      return { NODE_OPTIONS: `--import=${pathToFileURL(join(dir, 'register.mjs')).href}`, RESOLVED_LOG: log(name) };
    },
    resolved(name) {
      const urls = loaded(name);
      return [...urls, ...[...new Set(urls)].flatMap(sourcesOf)];
    },
    loaded,
  };
}
