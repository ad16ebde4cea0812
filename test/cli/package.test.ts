// What `npm pack` ships installs and runs without a build step: dist/ is in the tarball, the CLI is
// bundled (its dependencies inlined), and no install-time script is left for npm to run or to warn
// about in the user's project (`prepare` was one: npm 11 flags it in every project installing the
// tarball; `prepack` builds before packing instead). dist/ is built by the global set-up, so the
// pack here skips its scripts.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testDir } from '../helpers/tempdir.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string>; bin: Record<string, string> };

describe('the packed package', () => {
  it('has no install-time script; prepack builds', () => {
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts, script).not.toHaveProperty(script);
    expect(pkg.scripts.prepack).toBe('npm run build');
  });

  it('unpacked into a project, runs with no build step: --version, init, run', async () => {
    const out = testDir();
    const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { filename: string; files: { path: string }[] }[];
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['dist/cli/bin.js', 'dist/index.js', 'dist/supervisor/watchdog.js', 'agents.config.schema.json', 'README.md']));
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);

    const project = testDir({ 'node_modules/agentvisor/': null });
    execFileSync('tar', ['xzf', join(out, packed[0]!.filename), '-C', join(project, 'node_modules', 'agentvisor'), '--strip-components=1']);
    const bin = join(project, 'node_modules', 'agentvisor', pkg.bin.agentvisor!);
    const run = (args: string[]) => runCli(args, { cwd: project, bin });
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    expect((await run(['init'])).code).toBe(0);
    const ran = await run(['run']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('[writer]');
  });
});
