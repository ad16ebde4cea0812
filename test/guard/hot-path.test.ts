// guard sits on every edit an agent makes: whatever it decides (allow, block, claim, a pre-commit
// check), it must load none of yargs, zod, execa, pino or chokidar. A module hook in the guard
// process records every module it resolves, ESM and CommonJS alike.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testDir } from '../helpers/tempdir.js';
import { fixture, guardProject, hold } from './support.js';

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

describe('guard hot path', () => {
  it('allow, block, claim and --git-staged load none of the heavy packages', async () => {
    const hooks = testDir({ 'hooks.mjs': HOOKS, 'register.mjs': REGISTER });
    const root = guardProject({ 'src/api/users.ts': 'x\n' });
    execFileSync('git', ['init', '-q'], { cwd: root });
    execFileSync('git', ['add', 'src/api/users.ts'], { cwd: root });
    await hold(root, 'api', ['src/api/**']);
    const runs: [string, string[], string, number][] = [
      ['block', ['guard'], fixture('claude-write', root), 2],
      ['allow', ['guard', '--agent', 'api'], fixture('claude-write', root), 0],
      ['claim', ['guard', '--claim'], fixture('claude-multi-edit', root), 0],
      ['codex', ['guard'], fixture('codex-apply-patch', root), 2],
      ['git-staged', ['guard', '--git-staged'], '', 1],
    ];
    for (const [name, args, input, code] of runs) {
      const log = join(hooks, `resolved-${name}.log`);
      writeFileSync(log, '');
      const env = { NODE_OPTIONS: `--import=${pathToFileURL(join(hooks, 'register.mjs')).href}`, RESOLVED_LOG: log };
      const result = await runCli(args, { cwd: root, input, env });
      expect(result.code, `${name}: ${result.stderr}`).toBe(code);
      const resolved = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      expect(resolved.some((url) => url.endsWith('/dist/cli/commands/guard.js')), name).toBe(true);
      expect(resolved.filter((url) => HEAVY.test(url)), name).toEqual([]);
    }
  });
});
