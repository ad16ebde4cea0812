// Messages to stdin agents: the prompt first, then the backlog, then new messages, in order and
// exactly once, in each format; `send --end` ends the agent's input.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { cli, fixture, project, start } from './support.js';

function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('stdin messages', () => {
  it('text: prompt, backlog, live messages, in order, exactly once; --end closes stdin', async () => {
    const root = project({
      agents: [{ id: 'listener', command: fixture('echo-stdin', 'got.txt'), messages: 'stdin', prompt: 'Review each change.' }],
    });
    for (const m of ['one', 'two']) expect((await cli(root, ['send', 'listener', m, '--from', 'lead'])).code).toBe(0);
    const run = start(root, ['run']);
    const got = join(root, 'got.txt');
    await waitFor(() => lines(got).length === 3, { what: 'prompt and backlog delivered' });
    for (const m of ['three', 'four', 'five']) expect((await cli(root, ['send', 'listener', m, '--from', 'lead'])).code).toBe(0);
    expect((await cli(root, ['send', 'listener', '--end', '--from', 'lead'])).code).toBe(0);
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(0);
    expect(lines(got)).toEqual(['Review each change.', 'lead: one', 'lead: two', 'lead: three', 'lead: four', 'lead: five']);
    expect(run.stdout()).toContain('[listener] stdin ended');
  });

  it('jsonl and claude formats; shutdown ends the input after what is pending', async () => {
    const root = project({
      agents: [
        { id: 'json', command: fixture('echo-stdin', 'json.txt', 'ignore-sigterm'), messages: { to: 'stdin', format: 'jsonl' } },
        { id: 'claude', command: fixture('echo-stdin', 'claude.txt', 'ignore-sigterm'), messages: { to: 'stdin', format: 'claude' }, prompt: 'Start.' },
      ],
    });
    expect((await cli(root, ['send', 'json', 'hello', '--from', 'lead', '--type', 'handoff'])).code).toBe(0);
    const run = start(root, ['run']);
    await waitFor(() => lines(join(root, 'json.txt')).length === 1 && lines(join(root, 'claude.txt')).length === 1, { what: 'first lines' });
    expect((await cli(root, ['send', 'claude', 'go on', '--from', 'lead'])).code).toBe(0);
    await waitFor(() => lines(join(root, 'claude.txt')).length === 2, { what: 'claude message' });
    run.child.kill('SIGTERM');
    await run.exited;
    const record = JSON.parse(lines(join(root, 'json.txt'))[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ from: 'lead', to: 'json', type: 'handoff', message: 'hello' });
    expect(typeof record.id).toBe('string');
    expect(lines(join(root, 'claude.txt')).map((l) => JSON.parse(l) as unknown)).toEqual([
      { type: 'user', message: { role: 'user', content: 'Start.' } },
      { type: 'user', message: { role: 'user', content: 'lead: go on' } },
    ]);
    // Shutdown closed their input: they ignore SIGTERM, yet ended on their own at EOF.
    expect(run.stdout()).toContain('[json] stdin ended');
    expect(run.stdout()).toContain('[claude] stdin ended');
  });

  it('inbox agents get /dev/null as stdin and leave their messages in the inbox', async () => {
    const root = project({ agents: [{ id: 'quiet', command: fixture('echo-stdin', 'q.txt') }] });
    await cli(root, ['send', 'quiet', 'for later', '--from', 'lead']);
    const { code, stdout } = await cli(root, ['run']);
    expect(code).toBe(0);
    expect(stdout).toContain('[quiet] stdin ended');
    expect(lines(join(root, 'q.txt'))).toEqual([]);
    const inbox = await cli(root, ['inbox', '--agent', 'quiet', '--json']);
    expect(inbox.stdout).toContain('for later');
  });
});
