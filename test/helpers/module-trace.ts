// Recording which modules a CLI process loads (ESM through a resolve hook, CommonJS through
// Module._resolveFilename), to prove that hot paths load none of the heavy packages.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { testDir } from './tempdir.js';

/** The packages that hot paths (guard, lock, check, ...) must never load. */
export const HEAVY_PACKAGES = /\/node_modules\/(zod|yargs|execa|pino|pino-pretty|chokidar)\//;

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
  resolved(name: string): string[];
}

export function moduleTrace(): ModuleTrace {
  const dir = testDir({ 'hooks.mjs': HOOKS, 'register.mjs': REGISTER });
  const log = (name: string) => join(dir, `resolved-${name}.log`);
  return {
    env(name) {
      writeFileSync(log(name), '');
      return { NODE_OPTIONS: `--import=${pathToFileURL(join(dir, 'register.mjs')).href}`, RESOLVED_LOG: log(name) };
    },
    resolved(name) {
      return readFileSync(log(name), 'utf8').split('\n').filter(Boolean);
    },
  };
}
