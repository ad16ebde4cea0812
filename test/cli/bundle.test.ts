// The CLI the tests run is the one that ships, bundled by scripts/bundle-cli.mjs: a command's
// packages come inlined in its own files (none read from node_modules), and the files bundled code
// names beside itself (package.json for --version) are still found.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { moduleTrace } from '../helpers/module-trace.js';
import { cli, project } from './support.js';

describe('the bundled CLI', () => {
  it('validate runs zod from its own chunks, reading nothing under node_modules', async () => {
    const trace = moduleTrace();
    const root = project(['api', 'web']);
    const env = trace.env('validate');
    const result = await cli(root, ['validate'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(trace.loaded('validate').filter((url) => url.includes('/node_modules/')), 'dist/cli is not bundled: npm run build').toEqual([]);
    // zod did run: its modules are among those the loaded files were made from.
    expect(trace.resolved('validate').some((url) => url.includes('/node_modules/zod/'))).toBe(true);
  });

  it('--version prints package.json\'s version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await cli(project(), ['--version']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${pkg.version}\n`);
  });
});
