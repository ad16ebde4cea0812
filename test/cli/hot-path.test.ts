// The agent-side commands run on agents' hot paths: none of them may load zod, yargs, execa, pino
// or chokidar. A module hook in the CLI process records every module it resolves.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testDir } from '../helpers/tempdir.js';
import { cli, project } from './support.js';

const HEAVY = /\/node_modules\/(zod|yargs|execa|pino|pino-pretty|chokidar)\//;

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

// ESM resolution goes through the hook; require() (pino is CommonJS) through _resolveFilename.
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

describe('hot path', () => {
  it('lock, unlock, check, status, send, inbox and cleanup load none of the heavy packages', async () => {
    const hooks = testDir({ 'hooks.mjs': HOOKS, 'register.mjs': REGISTER });
    const root = project(['api', 'web']);
    // Each with the exit code it must have, so a crash cannot pass for a clean run.
    const commands: [string[], number][] = [
      [['lock', 'src/**', '--agent', 'api'], 0],
      [['check', 'src/a.ts', '--agent', 'web'], 3],
      [['status'], 0],
      [['status', '--json'], 0],
      [['send', 'api', 'hi', '--from', 'web'], 0],
      [['inbox', '--agent', 'api'], 0],
      [['unlock', 'src/**', '--agent', 'api'], 0],
      [['cleanup'], 0],
    ];
    for (const [i, [args, code]] of commands.entries()) {
      const log = join(hooks, `resolved-${i}.log`);
      writeFileSync(log, '');
      const env = { NODE_OPTIONS: `--import=${pathToFileURL(join(hooks, 'register.mjs')).href}`, RESOLVED_LOG: log };
      const result = await cli(root, args, { env });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(code);
      const resolved = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      // The hook works: the command's own module went through it.
      expect(resolved.some((url) => url.endsWith(`/dist/cli/commands/${args[0]}.js`)), args.join(' ')).toBe(true);
      expect(resolved.filter((url) => HEAVY.test(url)), args.join(' ')).toEqual([]);
    }
  });
});
