import { defineConfig } from 'vitest/config';

// End-to-end tests with real agent clients (Claude Code, Codex and Gemini CLI from .cache/, installed
// by scripts/install-claude-code.sh, install-codex.sh and install-gemini.sh). Not part of `npm test`:
// run by `npm run test:e2e`.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    reporters: ['default'],
  },
});
