// Which config a command means: --config, else the nearest agents.config.json upward, else
// AGENTVISOR_ROOT's.

import { join } from 'node:path';
import { expect, test } from 'vitest';
import { findConfigFile } from '../../src/config/find.js';
import { testDir } from '../helpers/tempdir.js';

test('--config is taken as given, relative to cwd, even when missing', () => {
  const root = testDir({ 'sub/': null });
  expect(findConfigFile({ cwd: join(root, 'sub'), env: {}, config: '../other.json' })).toBe(join(root, 'other.json'));
});

test('the nearest agents.config.json upward from cwd', () => {
  const root = testDir({ 'agents.config.json': '{}', 'a/agents.config.json': '{}', 'a/b/c/': null });
  expect(findConfigFile({ cwd: join(root, 'a', 'b', 'c'), env: {} })).toBe(join(root, 'a', 'agents.config.json'));
  expect(findConfigFile({ cwd: root, env: {} })).toBe(join(root, 'agents.config.json'));
});

test("AGENTVISOR_ROOT's config when none lies upward; null when there is none at all", () => {
  const project = testDir({ 'agents.config.json': '{}' });
  const elsewhere = testDir({});
  expect(findConfigFile({ cwd: elsewhere, env: { AGENTVISOR_ROOT: project } })).toBe(join(project, 'agents.config.json'));
  expect(findConfigFile({ cwd: elsewhere, env: {} })).toBeNull();
});
