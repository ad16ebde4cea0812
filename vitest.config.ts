import { defineConfig } from 'vitest/config';

// Tests spawn real processes; two cores are shared, so keep parallelism modest and timeouts generous.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-client end-to-end tests run apart: npm run test:e2e (vitest.e2e.config.ts).
    exclude: ['**/node_modules/**', 'test/e2e/**'],
    // Fixture processes import dist/: build it once when src/ is newer. PostgreSQL: one server for the run.
    globalSetup: ['test/global-setup.ts', 'test/pg-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
