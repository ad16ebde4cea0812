// `agentvisor run` end to end with real processes: locks before the first line, waiting in line,
// restarts keeping locks, dependsOn order and skipping, output prefixes and logs, the summary.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { cli, fixture, fixtureArgv, history, LOCK_DIR, locksOnDisk, project } from './support.js';

/** Pids whose command line holds `argument` (the watchdog gets the run's marker key). */
function processesWithArgument(argument: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes(argument)) found.push(Number(name));
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

describe('run', () => {
  it('holds the locks before the agent runs, sets its environment, prefixes its lines and keeps its log', async () => {
    const root = project({
      agents: [
        { id: 'api', command: fixture('read-locks'), owns: ['src/api/**'], reads: ['src/types/**'] },
        { id: 'env', command: fixtureArgv('print-env', 'FOO'), env: { FOO: 'bar' }, cwd: 'sub' },
      ],
    }, { 'sub/': null });
    const { code, stdout, stderr } = await cli(root, ['run']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('[api] held: src/api/**:exclusive, src/types/**:shared\n');
    const line = stdout.split('\n').find((l) => l.startsWith('[env] '))!;
    const printed = JSON.parse(line.slice('[env] '.length)) as { env: Record<string, string>; markers: string[]; cwd: string; stdinIsTTY: boolean };
    expect(printed.env).toMatchObject({ AGENT_ID: 'env', AGENTVISOR_ROOT: root, AGENTVISOR_DIR: join(root, LOCK_DIR), FOO: 'bar', AGENTVISOR_HEARTBEAT_MS: '1000' });
    expect(Number(printed.env.AGENTVISOR_SUPERVISOR)).toBeGreaterThan(0);
    expect(printed.cwd).toBe(join(root, 'sub'));
    expect(readFileSync(join(root, LOCK_DIR, 'logs', 'api.log'), 'utf8')).toContain('held: src/api/**:exclusive');
    expect(locksOnDisk(root)).toEqual([]);
    expect(stderr).toMatch(/agent\s+exit\s+duration\s+restarts\s+files changed/);
    // The watchdog (started with the run's marker as its argument) left with the clean end.
    expect(printed.markers).toHaveLength(1);
    await waitFor(() => processesWithArgument(printed.markers[0]!).length === 0, { what: 'the watchdog to exit' });
  });

  it('keeps alive the locks an agent takes itself, and releases them when it ends', async () => {
    const bin = BIN;
    const root = project({
      heartbeatMs: 200,
      agents: [{
        id: 'self',
        // Without renewal the lock would be stale after 600 ms; `check` by another agent still sees it after 1.2 s.
        command: `'${process.execPath}' '${bin}' lock extra.txt && sleep 1.2 && '${process.execPath}' '${bin}' check extra.txt --agent other; echo "check=$?"`,
      }],
    });
    const { code, stdout, stderr } = await cli(root, ['run']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('[self] check=3');
    expect(locksOnDisk(root)).toEqual([]);
  });

  it('starts a waiting agent the moment the holder exits', async () => {
    const root = project({
      agents: [
        { id: 'holder', command: `${fixture('forever')} & pid=$!; sleep 0.4; echo holder-done; kill $pid`, owns: ['data.txt'] },
        { id: 'waiter', command: fixture('read-locks'), reads: ['data.txt'] },
      ],
    });
    const { code, stdout, stderr } = await cli(root, ['run']);
    expect(code, stderr).toBe(0);
    expect(stdout.indexOf('[holder] holder-done')).toBeGreaterThan(-1);
    expect(stdout.indexOf('[waiter] held: data.txt:shared')).toBeGreaterThan(stdout.indexOf('[holder] holder-done'));
    expect(stderr).toMatch(/\[waiter\] waiting for data\.txt.*holder/);
  });

  it('restarts a crashing agent and keeps its locks across the restart', async () => {
    const root = project({
      agents: [{ id: 'flaky', command: `${fixture('crash-once', 'memory')} && ${fixture('read-locks')}`, owns: ['out/**'], restart: 'on-failure', maxRestarts: 2 }],
    }, { 'out/': null });
    const { code, stdout, stderr } = await cli(root, ['run']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('[flaky] crashing');
    expect(stdout).toContain('[flaky] held: out/**:exclusive');
    const events = history(root).filter((h) => h.agent_id === 'flaky' && (h.event === 'locked' || h.event === 'released')).map((h) => h.event);
    expect(events).toEqual(['locked', 'released']);
    expect(stderr).toMatch(/flaky\s+0\s+\S+ s\s+1\s/);
  });

  it('gives up after maxRestarts and fails the run', async () => {
    const root = project({ agents: [{ id: 'bad', command: fixtureArgv('exit-with', '4'), restart: 'always', maxRestarts: 2 }] });
    const { code, stderr } = await cli(root, ['run']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/bad\s+4\s+\S+ s\s+2\s/);
  });

  it('starts dependents after their dependencies exit 0 and skips those of a failed one', async () => {
    const root = project({
      agents: [
        { id: 'first', command: 'echo first' },
        { id: 'second', command: 'echo second', dependsOn: ['first'] },
        { id: 'broken', command: fixtureArgv('exit-with', '1'), allowFailure: true },
        { id: 'after-broken', command: 'echo must-not-run', dependsOn: ['broken'] },
        { id: 'after-after', command: 'echo must-not-run', dependsOn: ['after-broken'] },
      ],
    });
    const { code, stdout, stderr } = await cli(root, ['run']);
    expect(stdout.indexOf('[second] second')).toBeGreaterThan(stdout.indexOf('[first] first'));
    expect(stdout).not.toContain('must-not-run');
    expect(stderr).toMatch(/after-broken\s+skipped/);
    expect(stderr).toMatch(/after-after\s+skipped/);
    // A skipped agent fails the run even when the dependency itself was allowed to fail.
    expect(code).toBe(1);
    const board = JSON.parse(readFileSync(join(root, LOCK_DIR, 'status_board.json'), 'utf8')) as { agents: Record<string, { status: string }> };
    expect(board.agents['after-broken']?.status).toBe('skipped');
    expect(board.agents.broken?.status).toBe('failed');
    expect(board.agents.second?.status).toBe('exited');
  });

  it('--agents runs the named agents and what they depend on, nothing else', async () => {
    const root = project({
      agents: [
        { id: 'base', command: 'echo base' },
        { id: 'top', command: 'echo top', dependsOn: ['base'] },
        { id: 'other', command: 'echo other' },
      ],
    });
    const { code, stdout, stderr } = await cli(root, ['run', '--agents', 'top']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('[base] base');
    expect(stdout).toContain('[top] top');
    expect(stdout).not.toContain('[other]');
    expect(stderr).toContain('also running base');
    expect((await cli(root, ['run', '--agents', 'nope'])).code).toBe(2);
  });

  it('records the files an agent changed under its locks, and changes nobody owns', async () => {
    const root = project({
      agents: [
        { id: 'writer', command: fixtureArgv('write-file', 'src/a.txt'), owns: ['src/**'] },
        { id: 'stray', command: fixtureArgv('write-file', 'docs/b.txt'), owns: ['lib/**'] },
      ],
    }, { 'src/': null, 'docs/': null, 'lib/': null });
    const { code, stderr } = await cli(root, ['run', '--log-format', 'json']);
    expect(code, stderr).toBe(0);
    const summary = stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { summary?: { agents: { agent: string; files_changed: string[] }[]; unowned: { path: string }[] } }).find((l) => l.summary)!.summary!;
    expect(summary.agents.find((a) => a.agent === 'writer')?.files_changed).toEqual(['src/a.txt']);
    expect(summary.unowned.map((u) => u.path)).toEqual(['docs/b.txt']);
    expect(history(root)).toContainEqual(expect.objectContaining({ agent_id: 'writer', file_path: 'src/a.txt', event: 'modified' }));
    expect(existsSync(join(root, LOCK_DIR, 'conflicts.jsonl'))).toBe(true);
  });
});
