// Two agents of one config whose owns overlap run one after the other in config order: the later
// one waits for the earlier one's locks even when it could reach the store first (the earlier one
// is held back by a dependency here), and the board says what each waiting agent waits for.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BoardRecord } from '../../src/core/records.js';
import { waitFor } from '../helpers/wait-for.js';
import { cli, fixture, project, start } from './support.js';

async function board(root: string): Promise<BoardRecord> {
  const { stdout } = await cli(root, ['status', '--json']);
  return JSON.parse(stdout) as BoardRecord;
}

describe('overlapping owns in one config', () => {
  it('the later agent waits for the earlier one, named at the start; waiting_for says on what', async () => {
    const root = project({
      agents: [
        { id: 'gate', command: fixture('exit-when', 'go') },
        { id: 'first', command: `${fixture('read-locks')} && ${fixture('exit-when', 'done')}`, owns: ['x/**'], dependsOn: ['gate'] },
        { id: 'second', command: fixture('read-locks'), owns: ['x/1'] },
      ],
    });
    const run = start(root, ['run']);
    await waitFor(async () => (await board(root)).agents.second?.waiting_for, { what: 'second waiting' });
    let seen = await board(root);
    expect(seen.agents.second).toMatchObject({ status: 'waiting', waiting_for: { agent_id: 'first' } });
    expect(seen.agents.first).toMatchObject({ status: 'waiting', waiting_for: { agent_id: 'gate' } });
    expect(run.stderr()).toContain('agents.config.json: agents[2].owns[0]: agent "second" waits for agent "first" (agents[1]): their owns overlap, "x/1" with "x/**" (both match "x/1")');
    const text = (await cli(root, ['status'])).stdout;
    expect(text).toMatch(/second\s+waiting\s.*waits for agent first/);
    expect(text).toMatch(/first\s+waiting\s.*waits for agent gate/);

    writeFileSync(join(root, 'go'), '');
    await waitFor(async () => {
      seen = await board(root);
      return seen.agents.second?.waiting_for && 'lock_path' in seen.agents.second.waiting_for;
    }, { what: 'second waiting for the lock' });
    expect(seen.agents.second?.waiting_for).toEqual({ lock_path: 'x/**', locked_by: 'first' });
    expect(seen.waiters).toEqual([{ agent_id: 'second', paths: ['x/1'], since: expect.any(String), blocked_by: ['first'] }]);
    expect((await cli(root, ['status'])).stdout).toMatch(/second\s+waiting\s.*waits for x\/\*\* \(held by first\)/);
    expect(run.stdout()).not.toContain('[second]');

    writeFileSync(join(root, 'done'), '');
    expect((await run.exited).code, run.stderr()).toBe(0);
    const out = run.stdout();
    expect(out.indexOf('[second] held: x/1:exclusive')).toBeGreaterThan(out.indexOf('[first] held: x/**:exclusive'));
    expect(out.indexOf('[first] held')).toBeGreaterThan(-1);
  });

  it('--on-conflict fail makes the pair a config error: exit 2, nothing started', async () => {
    const root = project({ agents: [{ id: 'a', command: 'touch ran', owns: ['x'] }, { id: 'b', command: 'true', owns: ['x'] }] });
    const result = await cli(root, ['run', '--on-conflict', 'fail']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('agents.config.json: agents[1].owns[0]: agents "b" and "a" (agents[0]) own overlapping paths, "x" with "x" (both match "x"), and --on-conflict is "fail"');
    expect(result.stderr).toContain('nothing was started');
  });
});
