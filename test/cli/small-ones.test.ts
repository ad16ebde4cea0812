// What a new user trips over first: the version flag, where an unknown option points, help
// columns, an empty inbox, the unknown_agent warning's place, and a missing program's message.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../helpers/cli.js';
import { testDir } from '../helpers/tempdir.js';
import { cli, project } from './support.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('the command line', () => {
  it('-v and --version print the version; --help lists them', async () => {
    const root = project();
    for (const flag of ['-v', '--version']) expect(await cli(root, [flag])).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    expect((await cli(root, ['--help'])).stdout).toMatch(/^ {2}-v, --version\s+print the version$/m);
  });

  it('an unknown option points at the command\'s --help', async () => {
    const result = await cli(project(), ['lock', 'a', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("lock: Unknown option '--bogus' (see `agentvisor lock --help`)");
  });

  it("help: every option's text starts in one column, apart from the longest name; exec's usage names --heartbeat", async () => {
    for (const name of ['run', 'exec', 'lock', 'status', 'init', 'guard']) {
      const help = (await cli(project(), [name, '--help'])).stdout;
      const options = help.slice(help.indexOf('Options:\n') + 9).split('\n\n')[0]!.split('\n');
      const starts = new Set(options.map((line) => /^ {2}\S(?:.*?\S)? {2,}(?=\S)/.exec(line)?.[0].length));
      expect(starts.size, `${name}:\n${options.join('\n')}`).toBe(1);
      expect([...starts][0]).toBeGreaterThan(0);
    }
    expect((await cli(project(), ['exec', '--help'])).stdout).toMatch(/^Usage: agentvisor exec .*\[--heartbeat D\] -- CMD ARGS\.\.\.$/m);
  });

  it('an empty inbox: [] with --json, nothing to a pipe, "no messages" on a terminal', async () => {
    const root = project(['x']);
    expect(await cli(root, ['inbox', '--agent', 'x', '--json'])).toMatchObject({ code: 0, stdout: '[]\n' });
    expect(await cli(root, ['inbox', '--agent', 'x'])).toMatchObject({ code: 0, stdout: '' });
    // A real terminal: script(1) gives the command a pty.
    const tty = spawnSync('script', ['-qec', `'${process.execPath}' '${BIN}' inbox --agent x`, '/dev/null'], { cwd: root, env: cleanEnv(), encoding: 'utf8' });
    expect(tty.status).toBe(0);
    expect(tty.stdout.replace(/\r/g, '')).toBe('no messages for x\n');
  });

  it('the unknown_agent warning comes only once the command goes ahead, never before an unrelated error', async () => {
    const root = project();
    const bad = await cli(root, ['lock', '../outside']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toContain('no agent id given');
    const unknownTarget = await cli(root, ['send', 'nobody', 'hi']);
    expect(unknownTarget.code).toBe(2);
    expect(unknownTarget.stderr).not.toContain('no agent id given');
    const good = await cli(root, ['lock', 'a']);
    expect(good.code).toBe(0);
    expect(good.stderr).toContain('no agent id given');
  });

  it('a missing program says "command not found: NAME", as argv and as a shell string (exit 127 from sh)', async () => {
    const root = testDir({
      'agents.config.json': JSON.stringify({ agents: [{ id: 'a', command: 'FOO=1 no-such-program-here --flag' }, { id: 'b', command: 'echo "$AGENT_ID"; exit 127' }] }),
    });
    const argv = await cli(root, ['exec', '--agent', 'ci', '--', 'no-such-program-here', 'x']);
    expect(argv.code).toBe(127);
    expect(argv.stderr).toContain('command not found: no-such-program-here');
    expect(argv.stderr).not.toContain('no such command or folder');
    const run = await cli(root, ['run']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^a\s+127\s.*failed: command not found: no-such-program-here$/m);
    // A 127 of the command's own is only that.
    expect(run.stderr).toMatch(/^b\s+127\s.*failed: exit 127$/m);
  });
});
