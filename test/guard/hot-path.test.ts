// guard sits on every edit an agent makes: whatever it decides (allow, block, claim, a pre-commit
// check), it must load none of yargs, zod, execa, pino or chokidar; and a check (everything but
// --claim) reads lock files without the store's writing half (file store, mutex socket, crypto).
// A module hook in the guard process records every module it resolves, ESM and CommonJS alike.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HEAVY_PACKAGES, moduleTrace } from '../helpers/module-trace.js';
import { runCli } from '../helpers/cli.js';
import { fixture, guardProject, hold } from './support.js';

/** What opening the store loads: a check needs none of it (guard's start-up costs ~0.5 ms a module). */
// src/...ts: the modules a bundled chunk was made from (see module-trace.ts); dist/...js: unbundled.
const STORE_WRITING_HALF = /\/(dist|src)\/core\/(open-store|fs-store\/(file-store|mutex|section|grant))\.[jt]s$|^node:(net|crypto)$/;

describe('guard hot path', () => {
  it('allow, block, claim and --git-staged load none of the heavy packages', async () => {
    const trace = moduleTrace();
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
      const env = trace.env(name);
      const result = await runCli(args, { cwd: root, input, env });
      expect(result.code, `${name}: ${result.stderr}`).toBe(code);
      const resolved = trace.resolved(name);
      expect(resolved.some((url) => url.endsWith('/dist/cli/commands/guard.js')), name).toBe(true);
      expect(resolved.filter((url) => HEAVY_PACKAGES.test(url)), name).toEqual([]);
      if (name !== 'claim') expect(resolved.filter((url) => STORE_WRITING_HALF.test(url)), name).toEqual([]);
    }
  });
});
