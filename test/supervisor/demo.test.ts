// The README's first command: the root agents.config.json (examples/demo) finishes in under 20 s
// with exit 0 and a summary that tells the story (a wait for a held file, a handoff, a crash that
// frees its lock at once, a restart). Its coordination dir is a temp dir, not the checkout's.

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testDir } from '../helpers/tempdir.js';
import { cli } from './support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the demo', () => {
  it('tells its story in under 20 s and exits 0', async () => {
    const dir = testDir();
    const began = Date.now();
    const { code, stdout, stderr } = await cli(ROOT, ['run', '--dir', dir]);
    expect(code, stderr).toBe(0);
    expect(Date.now() - began).toBeLessThan(20_000);
    expect(stdout).toMatch(/\[builder\] inbox: planner \(handoff/);
    expect(stdout.indexOf('[builder] started')).toBeGreaterThan(stdout.indexOf('[planner] plan written'));
    expect(stdout.indexOf('[cleaner] started')).toBeGreaterThan(stdout.indexOf('[crasher] about to crash'));
    expect(stderr).toMatch(/builder .*waited [\d.]+ s for planner/);
    expect(stderr).toMatch(/crasher\s+SIGKILL.*allowed to fail/);
    expect(stderr).toMatch(/cleaner .*waited [\d.]+ s for crasher/);
    expect(stderr).toMatch(/flaky\s+0\s+\S+ s\s+1\s.*succeeded after 1 restart/);
  });
});
