// The agent-side commands run on agents' hot paths: none of them may load zod, yargs, execa, pino
// or chokidar. A module hook in the CLI process records every module it resolves.

import { describe, expect, it } from 'vitest';
import { HEAVY_PACKAGES, moduleTrace } from '../helpers/module-trace.js';
import { cli, project } from './support.js';

describe('hot path', () => {
  it('lock, unlock, check, status, send, inbox (and its hook) and cleanup load none of the heavy packages', async () => {
    const trace = moduleTrace();
    const root = project(['api', 'web']);
    // Each with the exit code it must have, so a crash cannot pass for a clean run.
    const commands: [string[], number][] = [
      [['lock', 'src/**', '--agent', 'api'], 0],
      [['check', 'src/a.ts', '--agent', 'web'], 3],
      [['status'], 0],
      [['status', '--json'], 0],
      [['send', 'api', 'hi', '--from', 'web'], 0],
      [['inbox', '--agent', 'api'], 0],
      [['inbox', '--hook', '--agent', 'api'], 0],
      [['unlock', 'src/**', '--agent', 'api'], 0],
      [['cleanup'], 0],
    ];
    for (const [i, [args, code]] of commands.entries()) {
      const env = trace.env(String(i));
      const result = await cli(root, args, { env });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(code);
      const resolved = trace.resolved(String(i));
      // The hook works: the command's own module went through it.
      expect(resolved.some((url) => url.endsWith(`/dist/cli/commands/${args[0]}.js`)), args.join(' ')).toBe(true);
      expect(resolved.filter((url) => HEAVY_PACKAGES.test(url)), args.join(' ')).toEqual([]);
    }
  });
});

describe('the dashboard loads only when asked for', () => {
  // Its server (node:http and the dashboard's modules) is `dashboard`'s and `run --dashboard`'s alone.
  const DASHBOARD = /\/src\/dashboard\/(server|board-feed|requests|actions|page-files|sse|run-dashboard)\.ts$|^node:http$/;

  it('run without --dashboard, and the agent-side commands, load none of it; run --dashboard does', async () => {
    const trace = moduleTrace();
    const root = project(['api']);
    const commands: [string, string[], number, boolean][] = [
      ['plain', ['run'], 0, false],
      ['lock', ['lock', 'src/**', '--agent', 'api'], 0, false],
      ['status', ['status', '--json'], 0, false],
      ['dashboard', ['run', '--dashboard', '0'], 0, true],
    ];
    for (const [name, args, code, loads] of commands) {
      const result = await cli(root, args, { env: trace.env(name) });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(code);
      const hits = trace.resolved(name).filter((url) => DASHBOARD.test(url));
      if (loads) {
        expect(result.stderr).toMatch(/^dashboard: http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32,}$/m);
        expect(hits.length, args.join(' ')).toBeGreaterThan(0);
      } else expect(hits, args.join(' ')).toEqual([]);
    }
  });
});
