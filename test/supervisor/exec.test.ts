// `agentvisor exec`: one command with its locks and no config; its exit code is the command's own.

import { describe, expect, it } from 'vitest';
import { testDir } from '../helpers/tempdir.js';
import { waitFor } from '../helpers/wait-for.js';
import { allGone, cli, fixtureArgv, locksOnDisk, printedPids, start } from './support.js';

describe('exec', () => {
  it('holds the locks before the command runs, passes its output through, releases after', async () => {
    const root = testDir({ '.git/': null });
    const { code, stdout, stderr } = await cli(root, ['exec', '--agent', 'ci', '--owns', 'build/**', '--reads', 'src/**', '--', ...fixtureArgv('read-locks')]);
    expect(code, stderr).toBe(0);
    expect(stdout).toBe('held: build/**:exclusive, src/**:shared\n');
    expect(locksOnDisk(root)).toEqual([]);
  });

  it("exits with the command's own code, or 128 + the signal's number", async () => {
    const root = testDir({ '.git/': null });
    expect((await cli(root, ['exec', '--agent', 'ci', '--', ...fixtureArgv('exit-with', '7')])).code).toBe(7);
    expect((await cli(root, ['exec', '--agent', 'ci', '--', ...fixtureArgv('exit-with', 'SIGKILL')])).code).toBe(137);
    expect((await cli(root, ['exec', '--agent', 'ci', '--', 'no-such-command-anywhere'])).code).toBe(127);
    expect((await cli(root, ['exec', '--agent', 'ci'])).code).toBe(2);
    expect((await cli(root, ['exec', '--agent', '../x', '--', 'true'])).code).toBe(2);
  });

  it('exits 3 on a held lock with --on-conflict fail, or after --lock-timeout, without running the command', async () => {
    const root = testDir({ '.git/': null });
    await cli(root, ['lock', 'x.txt', '--agent', 'holder']);
    const fail = await cli(root, ['exec', '--agent', 'ci', '--owns', 'x.txt', '--on-conflict', 'fail', '--', 'echo', 'ran']);
    expect(fail.code).toBe(3);
    expect(fail.stdout).not.toContain('ran');
    expect(fail.stderr).toContain('holder');
    const timeout = await cli(root, ['exec', '--agent', 'ci', '--owns', 'x.txt', '--lock-timeout', '200ms', '--', 'echo', 'ran']);
    expect(timeout.code).toBe(3);
    expect(timeout.stdout).not.toContain('ran');
  });

  it('on SIGTERM stops the command and its tree, releases its locks, exits 143', async () => {
    const root = testDir({ '.git/': null });
    const run = start(root, ['exec', '--agent', 'ci', '--owns', 'out/**', '--', ...fixtureArgv('spawn-grandchild', 'gc.pid', 'wait')]);
    await waitFor(() => printedPids(run.stdout(), 'grandchild').length === 1, { what: 'grandchild started' });
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(143);
    await allGone(printedPids(run.stdout(), 'grandchild'));
    expect(locksOnDisk(root)).toEqual([]);
  });
});
