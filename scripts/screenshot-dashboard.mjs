#!/usr/bin/env node
// Takes the README's screenshot of the dashboard: runs the demo (the root agents.config.json) with
// `run --dashboard 0` and a throwaway coordination dir, opens the printed URL in Debian's Chromium
// (through playwright-core, as the browser tests do), sends a note from the page, and shoots the page
// once the builder runs after its wait and the planner's handoff: the timeline then tells the story.
//   npm run build && node scripts/screenshot-dashboard.mjs [--theme light|dark] [--width 1280] [--out docs/dashboard.png]

/* global document, window -- page functions run in the browser */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const { values } = parseArgs({
  options: {
    theme: { type: 'string', default: 'light' },
    width: { type: 'string', default: '1280' },
    out: { type: 'string', default: join(ROOT, 'docs', 'dashboard.png') },
  },
});

const work = mkdtempSync(join(tmpdir(), 'agentvisor-screenshot-'));
const env = { ...process.env };
for (const key of Object.keys(env)) if (key.startsWith('AGENTVISOR_') || key === 'AGENT_ID' || key === 'CI') delete env[key];

// The browser first: Chromium takes a while to start, and the demo lasts seconds.
const context = await chromium.launchPersistentContext(join(work, 'chromium'), {
  executablePath: CHROMIUM,
  args: FLAGS,
  viewport: { width: Number(values.width), height: 900 },
  colorScheme: values.theme === 'dark' ? 'dark' : 'light',
});
const run = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'bin.js'), 'run', '--dashboard', '0', '--dir', join(work, 'locks')], {
  cwd: ROOT,
  env,
  stdio: ['ignore', 'ignore', 'pipe'],
});
try {
  let stderr = '';
  run.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no dashboard URL on stderr:\n${stderr}`)), 20_000);
    run.stderr.on('data', () => {
      const match = /^dashboard: (http:\/\/\S+)$/m.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  const page = await context.newPage();
  await page.goto(url);
  // One action from the page first, so the messages show one: a note to the agent about to wait.
  await page.locator('[data-agent="builder"]').waitFor();
  await page.selectOption('#send-to', 'builder');
  await page.fill('#send-message', 'plan.md is nearly done: start with the greeting');
  await page.click('#send button[type="submit"]');
  await page.waitForFunction(() => document.getElementById('messages').textContent.includes('start with the greeting'), null, { timeout: 5_000 });
  // Functions, not strings: the page's Content-Security-Policy forbids evaluating text. The moment:
  // the builder at work after its wait and the planner's handoff, the crasher dead, the flaky agent
  // restarted once, so that the timeline tells the whole story.
  await page.waitForFunction(() => {
    const row = (id) => document.querySelector(`[data-agent="${id}"]`);
    return row('builder')?.dataset.status === 'running' && row('planner')?.dataset.status === 'exited' && row('crasher')?.dataset.status === 'failed'
      && row('flaky')?.querySelector('td:nth-child(6)')?.textContent === '1' && document.getElementById('messages').textContent.includes('handoff')
      && document.querySelectorAll('#timeline .wait').length >= 2 && document.querySelectorAll('#locks tbody tr').length >= 2;
  }, null, { timeout: 20_000 });
  await page.waitForFunction(() => document.getElementById('connection').dataset.state === 'live', null, { timeout: 5_000 });
  // The notice fades on its own; the picture is of the board, not of the notice.
  await page.evaluate(() => {
    document.getElementById('notice').hidden = true;
    window.scrollTo(0, 0);
  });
  await page.screenshot({ path: values.out, fullPage: true });
  console.log(`wrote ${values.out}`);
} finally {
  await context.close();
  run.kill('SIGINT');
  await new Promise((resolve) => run.once('close', resolve));
  rmSync(work, { recursive: true, force: true });
}
