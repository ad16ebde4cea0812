// Every malformed argument (ids, paths, globs, durations) exits 2 with a message naming it, and
// nothing is written: the coordination dir is not even created.

import { describe, expect, it } from 'vitest';
import type { CliResult } from '../helpers/cli.js';
import { cli, coordinationDirExists, project } from './support.js';

interface Case {
  args: string[];
  /** What stderr must name. */
  names: string;
  env?: Record<string, string>;
}

const CASES: Case[] = [
  // agent ids
  { args: ['lock', 'a.txt', '--agent', '../x'], names: '../x' },
  { args: ['lock', 'a.txt', '--agent', 'a/b'], names: 'a/b' },
  { args: ['lock', 'a.txt', '--agent', ''], names: '""' },
  { args: ['lock', 'a.txt', '--agent', 'a b'], names: 'a b' },
  { args: ['lock', 'a.txt'], names: 'x y', env: { AGENT_ID: 'x y' } },
  { args: ['unlock', 'a.txt', '--agent', '../x'], names: '../x' },
  { args: ['check', 'a.txt', '--agent', 'a/b'], names: 'a/b' },
  { args: ['inbox', '--agent', '../x'], names: '../x' },
  { args: ['send', '../x', 'hi', '--from', 'api'], names: '../x' },
  { args: ['send', 'api', 'hi', '--from', 'a b'], names: 'a b' },
  // paths that leave root
  { args: ['lock', '../x', '--agent', 'a'], names: '../x' },
  { args: ['lock', '/etc/passwd', '--agent', 'a'], names: '/etc/passwd' },
  { args: ['unlock', '../x', '--agent', 'a'], names: '../x' },
  { args: ['check', '/etc/passwd', '--agent', 'a'], names: '/etc/passwd' },
  // refused globs
  { args: ['lock', '+(a|b)', '--agent', 'a'], names: '+(a|b)' },
  { args: ['lock', '!a', '--agent', 'a'], names: '!a' },
  { args: ['lock', '[[:alpha:]]', '--agent', 'a'], names: '[[:alpha:]]' },
  { args: ['lock', '[z-a]', '--agent', 'a'], names: '[z-a]' },
  { args: ['lock', 'a\\', '--agent', 'a'], names: 'a\\' },
  { args: ['lock', '{a', '--agent', 'a'], names: '{a' },
  { args: ['check', '{a', '--agent', 'a'], names: '{a' },
  // durations
  { args: ['lock', 'a.txt', '--agent', 'a', '--ttl', '5x'], names: '5x' },
  { args: ['lock', 'a.txt', '--agent', 'a', '--ttl', '-1s'], names: '-1s' },
  { args: ['lock', 'a.txt', '--agent', 'a', '--ttl', ''], names: '--ttl' },
  { args: ['lock', 'a.txt', '--agent', 'a', '--wait', '5x'], names: '5x' },
  { args: ['lock', 'a.txt', '--agent', 'a', '--wait', '-1s'], names: '-1s' },
  { args: ['lock', 'a.txt', '--agent', 'a', '--wait='], names: '--wait' },
  // arguments
  { args: ['lock', '--agent', 'a'], names: 'P...' },
  { args: ['lock', 'a.txt', '--agent', 'a', '--bogus'], names: '--bogus' },
  { args: ['send', 'api', 'hi', '--from', 'api', '--type', 'shout'], names: 'shout' },
  { args: ['send', 'nobody', 'hi', '--from', 'api'], names: 'nobody' },
];

describe('malformed input', () => {
  it('exits 2, names the culprit and creates nothing', async () => {
    const root = project(['api']);
    const results: CliResult[] = [];
    // A few at a time: two cores are shared by every test file.
    for (let i = 0; i < CASES.length; i += 4) {
      results.push(...(await Promise.all(CASES.slice(i, i + 4).map((c) => cli(root, c.args, { env: c.env ?? {} })))));
    }
    const failures = CASES.flatMap((c, i) => {
      const r = results[i]!;
      const ok = r.code === 2 && r.stderr.includes(c.names) && r.stdout === '';
      return ok ? [] : [`${JSON.stringify(c.args)} → ${r.code}: ${r.stderr.trim()} ${r.stdout.trim()}`];
    });
    expect(failures).toEqual([]);
    expect(coordinationDirExists(root)).toBe(false);
  });

  it('every command prints --help with its usage and exits 0', async () => {
    const root = project();
    for (const name of ['lock', 'unlock', 'check', 'status', 'send', 'inbox', 'cleanup']) {
      const help = await cli(root, [name, '--help']);
      expect([help.code, help.stdout.startsWith(`Usage: agentvisor ${name}`)], help.stderr).toEqual([0, true]);
      expect(help.stdout).toContain('Exit codes:');
    }
    expect(coordinationDirExists(root)).toBe(false);
  });
});
