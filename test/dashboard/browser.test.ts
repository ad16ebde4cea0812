// The dashboard in a real Chromium, on a real run (`run --dashboard 0`) of fixture agents: what the
// page shows and how soon, and every action from the page (with and without the token), checked
// against the lock files, the inbox and the agent's own stdin.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRun, launchChromium, type Browser } from '../helpers/browser.js';
import { waitFor } from '../helpers/wait-for.js';
import { cli, fixtureArgv, history, LOCK_DIR, locksOnDisk, project, start, type Running } from '../supervisor/support.js';

/** The page's document, in functions that Playwright runs in the page (no DOM lib in this project). */
declare const document: { getElementById(id: string): { textContent: string | null } | null };

/** The contract: on the page within 1 s of the change. The slack is for a loaded two-core machine. */
const WITHIN_MS = 2_000;
/** For what agents and the supervisor do (exits, restarts), on a loaded machine. */
const AGENT_MS = 10_000;
const URL_LINE = /^dashboard: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=[A-Za-z0-9_-]{32,})$/m;

/** An agent's board entry as the store keeps it (agents/<id>.json): the witness of a change. */
function entryOnDisk(root: string, id: string): { status: string } | null {
  try {
    return JSON.parse(readFileSync(join(root, LOCK_DIR, 'agents', `${id}.json`), 'utf8')) as { status: string };
  } catch {
    return null;
  }
}

interface Live {
  root: string;
  run: Running;
  url: string;
  page: Page;
}

describe.runIf(browserTestsRun('the dashboard browser tests'))('the dashboard in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A run of three agents: talker (stdin, holds src/shared/**), waiter (waits for it), usage (Claude-like output). */
  async function liveRun(options: { withToken?: boolean } = {}): Promise<Live> {
    const root = project({
      // A lease of 6 s: a loaded machine (load 20 on two cores was seen) must not lose one by itself;
      // a forced release is still seen at the next beat.
      heartbeatMs: 2_000,
      agents: [
        { id: 'talker', command: fixtureArgv('echo-stdin', 'talker.out'), owns: ['src/shared/**'], messages: 'stdin' },
        { id: 'waiter', command: fixtureArgv('forever'), reads: ['src/shared/**'] },
        { id: 'usage', command: fixtureArgv('claude-usage'), owns: ['src/usage.txt'] },
      ],
    });
    const run = start(root, ['run', '--dashboard', '0']);
    const match = await waitFor(() => URL_LINE.exec(run.stderr()), { what: 'the dashboard line on stderr' }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; stderr: ${run.stderr()}; stdout: ${run.stdout()}`);
    });
    const url = options.withToken === false ? match[1]!.replace(/\?token=.*$/, '') : match[1]!;
    const page = await browser.context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(url);
    await page.locator('[data-agent="talker"][data-status="running"]').waitFor();
    return { root, run, url, page };
  }

  async function finish(live: Live): Promise<void> {
    await live.page.close();
    live.run.child.kill('SIGTERM');
    await live.run.exited;
  }

  it('shows the running agents and their locks, and each change within a second', async () => {
    const live = await liveRun();
    const { page, root } = live;
    try {
      await page.locator('[data-agent="waiter"][data-status="waiting"]').waitFor();
      await expect.poll(() => page.locator('[data-agent="waiter"]').textContent(), { timeout: AGENT_MS }).toContain('src/shared/** held by talker');
      await page.locator('#locks tr[data-lock="src/shared/**"][data-holder="talker"]').waitFor();
      await page.locator('#waiters [data-waiter="waiter"]').waitFor();
      // Claude Code's result event: 1,200 tokens in (with cache), 340 out, $0.0425.
      await expect.poll(() => page.locator('[data-agent="usage"] .usage').textContent(), { timeout: AGENT_MS }).toBe('1.2k in · 340 out · $0.043');
      await expect.poll(() => page.locator('[data-output="usage"]').textContent(), { timeout: AGENT_MS }).toContain('"type":"result"');

      // A lock taken from outside: on the page within a second of the command's return, and gone again.
      expect((await cli(root, ['lock', 'docs/notes.md', '--agent', 'outsider'])).code).toBe(0);
      await page.locator('#locks tr[data-lock="docs/notes.md"][data-holder="outsider"]').waitFor({ timeout: WITHIN_MS });
      expect((await cli(root, ['unlock', 'docs/notes.md', '--agent', 'outsider'])).code).toBe(0);
      await page.locator('#locks tr[data-lock="docs/notes.md"]').waitFor({ state: 'detached', timeout: WITHIN_MS });

      // Agents started later by hand: one that takes a lock, one that waits for it; then the first
      // exits. Each change is witnessed on disk (the lock file, the agent's board entry) before the
      // page's clock starts.
      const late = start(root, ['exec', '--agent', 'late', '--owns', 'docs/late.md', '--', ...fixtureArgv('exit-when', 'go-late')]);
      await waitFor(() => locksOnDisk(root).some((l) => l.agent_id === 'late'), { what: "late's lock on disk" });
      await page.locator('#locks tr[data-lock="docs/late.md"][data-holder="late"]').waitFor({ timeout: WITHIN_MS });
      await waitFor(() => entryOnDisk(root, 'late')?.status === 'running', { what: 'late running on disk' });
      await page.locator('[data-agent="late"][data-status="running"]').waitFor({ timeout: WITHIN_MS });
      const later = start(root, ['exec', '--agent', 'later', '--owns', 'docs/late.md', '--', ...fixtureArgv('exit-when', 'go-later')]);
      await waitFor(() => entryOnDisk(root, 'later')?.status === 'waiting', { what: 'later waiting on disk' });
      await page.locator('[data-agent="later"][data-status="waiting"]').waitFor({ timeout: WITHIN_MS });
      writeFileSync(join(root, 'go-late'), '');
      expect((await late.exited).code).toBe(0);
      await waitFor(() => entryOnDisk(root, 'late')?.status === 'exited', { what: 'late exited on disk' });
      await page.locator('[data-agent="late"][data-status="exited"]').waitFor({ timeout: WITHIN_MS });
      await page.locator('#locks tr[data-lock="docs/late.md"][data-holder="later"]').waitFor({ timeout: AGENT_MS });
      writeFileSync(join(root, 'go-later'), '');
      expect((await later.exited).code).toBe(0);

      // talker exits (its input ends); waiter, waiting for its lock, starts and takes it. (How long an
      // exit takes is the supervisor's business: the clock here is the page's, from the board's change.)
      expect((await cli(root, ['send', 'talker', '--end'])).code).toBe(0);
      await page.locator('[data-agent="talker"][data-status="exited"]').waitFor({ timeout: AGENT_MS });
      await page.locator('[data-agent="waiter"][data-status="running"]').waitFor({ timeout: AGENT_MS });
      await page.locator('#locks tr[data-lock="src/shared/**"][data-holder="waiter"]').waitFor({ timeout: AGENT_MS });
      // The timeline shows both holds of src/shared/** and the wait.
      await expect.poll(() => page.locator('#timeline [data-timeline="talker"] .hold').count(), { timeout: AGENT_MS }).toBeGreaterThan(0);
      await expect.poll(() => page.locator('#timeline [data-timeline="waiter"] .wait').count(), { timeout: AGENT_MS }).toBeGreaterThan(0);
    } finally {
      await finish(live);
    }
  });

  it("a message sent from the page reaches the agent's stdin", async () => {
    const live = await liveRun();
    const { page, root } = live;
    try {
      await page.selectOption('#send-to', 'talker');
      await page.fill('#send-message', 'hello from the page');
      await page.click('#send button[type="submit"]');
      await waitFor(() => existsSync(join(root, 'talker.out')) && readFileSync(join(root, 'talker.out'), 'utf8').includes('hello from the page'), { what: "the message on talker's stdin" });
      await expect.poll(() => page.locator('#messages').textContent(), { timeout: AGENT_MS }).toContain('hello from the page');
    } finally {
      await finish(live);
    }
  });

  it('a forced release from the page frees the lock; the agent that declared it is stopped, the waiter goes ahead', async () => {
    const live = await liveRun();
    const { page, root } = live;
    try {
      await page.click('#locks tr[data-lock="src/shared/**"][data-holder="talker"] button[data-action="release"]');
      await waitFor(() => !locksOnDisk(root).some((l) => l.agent_id === 'talker'), { what: "talker's lock gone from disk" });
      // The history line is written in the same critical section, just after the lock file goes.
      await waitFor(() => history(root).some((h) => h.agent_id === 'talker' && h.file_path === 'src/shared/**' && h.event === 'forced'), { what: 'forced in the history' });
      await waitFor(() => /LOST ITS LOCKS/.test(live.run.stderr()), { what: 'the lost lease reported' });
      await page.locator('[data-agent="talker"][data-status="failed"]').waitFor({ timeout: AGENT_MS });
      await page.locator('[data-agent="waiter"][data-status="running"]').waitFor({ timeout: AGENT_MS });
    } finally {
      await finish(live);
    }
  });

  it('restarts and stops an agent of the attached run from the page', async () => {
    const live = await liveRun();
    const { page } = live;
    try {
      const pid = page.locator('[data-agent="usage"] td:nth-child(3)');
      await expect.poll(() => pid.textContent(), { timeout: AGENT_MS }).toMatch(/^\d+$/);
      const first = await pid.textContent();
      await page.click('[data-agent="usage"] button[data-action="restart"]');
      await expect.poll(() => page.locator('[data-agent="usage"] td:nth-child(6)').textContent(), { timeout: AGENT_MS }).toBe('1');
      // A new process: another pid (not the old one, nor none while it restarts).
      await expect.poll(async () => { const now = await pid.textContent(); return /^\d+$/.test(now ?? '') && now !== first; }, { timeout: AGENT_MS }).toBe(true);
      await page.locator('[data-agent="usage"][data-status="running"]').waitFor();
      await page.click('[data-agent="usage"] button[data-action="stop"]');
      await page.locator('[data-agent="usage"][data-status="stopped"]').waitFor();
      // Its lock went with it; the others run on.
      await page.locator('#locks tr[data-lock="src/usage.txt"]').waitFor({ state: 'detached' });
      await page.locator('[data-agent="talker"][data-status="running"]').waitFor();
    } finally {
      await finish(live);
    }
  });

  it('every action from a page without the token is refused and changes nothing', async () => {
    const live = await liveRun({ withToken: false });
    const { page, root } = live;
    try {
      const notice = page.locator('#notice');
      await page.selectOption('#send-to', 'talker');
      await page.fill('#send-message', 'sneaky');
      await page.click('#send button[type="submit"]');
      await expect.poll(() => notice.textContent(), { timeout: AGENT_MS }).toContain('401');
      for (const button of ['#locks tr[data-lock="src/shared/**"] button[data-action="release"]', '[data-agent="usage"] button[data-action="stop"]', '[data-agent="usage"] button[data-action="restart"]']) {
        await page.evaluate(() => (document.getElementById('notice')!.textContent = ''));
        await page.click(button);
        await expect.poll(() => notice.textContent(), { timeout: AGENT_MS }).toContain('401');
      }
      expect(locksOnDisk(root).map((l) => `${l.agent_id} ${l.file_path}`).sort()).toEqual(['talker src/shared/**', 'usage src/usage.txt']);
      expect(history(root).some((h) => h.event === 'forced')).toBe(false);
      expect(readFileSync(join(root, 'talker.out'), 'utf8')).not.toContain('sneaky');
      await page.locator('[data-agent="usage"][data-status="running"]').waitFor();
      expect(await page.locator('[data-agent="usage"] td:nth-child(6)').textContent()).toBe('0');
    } finally {
      await finish(live);
    }
  });

  it('reconnects by itself when the server restarts', async () => {
    const root = project({ agents: [] });
    const first = start(root, ['dashboard', '--port', '0']);
    const [line, port] = await waitFor(() => /^dashboard: http:\/\/127\.0\.0\.1:(\d+)\/\?token=\S+$/m.exec(first.stderr()), { what: 'the URL line' });
    const page = await browser.context.newPage();
    try {
      await page.goto(line.slice('dashboard: '.length));
      await page.locator('#connection[data-state="live"]').waitFor();
      first.child.kill('SIGINT');
      await first.exited;
      await page.locator('#connection[data-state="reconnecting"]').waitFor();
      const second = start(root, ['dashboard', '--port', port!]);
      await waitFor(() => /^dashboard: /m.test(second.stderr()), { what: 'the second server' });
      await page.locator('#connection[data-state="live"]').waitFor({ timeout: AGENT_MS });
      expect((await cli(root, ['lock', 'after/restart.md', '--agent', 'api'])).code).toBe(0);
      await page.locator('#locks tr[data-lock="after/restart.md"]').waitFor({ timeout: WITHIN_MS });
      second.child.kill('SIGINT');
      await second.exited;
    } finally {
      await page.close();
    }
  });
});
