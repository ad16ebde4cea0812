// A real Chromium for the dashboard's browser tests: Debian's /usr/bin/chromium (or CHROMIUM_PATH)
// driven by playwright-core, headless, with a fresh profile. Missing Chromium: the tests skip and
// say so loudly, except in CI (env CI set), where they fail.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const chromiumInstalled = existsSync(CHROMIUM);
export const inCi = ![undefined, '', '0', 'false'].includes(process.env.CI);

/** Whether to run the browser tests; says loudly why not. In CI a missing Chromium fails instead. */
export function browserTestsRun(what: string): boolean {
  if (chromiumInstalled || inCi) return true;
  process.stderr.write(`\n*** SKIPPED ${what}: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH). In CI this fails. ***\n\n`);
  return false;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  if (!chromiumInstalled) throw new Error(`CI is set and there is no Chromium at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium)`);
  const profile = mkdtempSync(join(tmpdir(), 'agentvisor-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: FLAGS, viewport: { width: 1200, height: 900 } });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
