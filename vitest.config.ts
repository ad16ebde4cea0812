import { defineConfig } from 'vitest/config';

/**
 * Suites that run a second time with AGENTVISOR_PORTABLE=1 (every process they start takes the
 * portable paths: ps instead of /proc, the same socket-file mutex): those proving mutual exclusion,
 * crash safety, stale reclaim, the sweep of leftovers and liveness. The rest do not depend on how
 * processes are looked at, and run once. The store-contract suites re-run on the file store only
 * (test/helpers/stores.ts); the PostgreSQL store's own two-host suite re-runs on it.
 */
const PORTABLE_SUITES = [
  'test/core/liveness.test.ts',
  'test/store-contract/mutual-exclusion.test.ts',
  'test/core/store/crash.test.ts',
  'test/core/store/mutex.test.ts',
  'test/store-contract/processes.test.ts',
  'test/supervisor/crash.test.ts',
  'test/supervisor/watchdog.test.ts',
  // The PostgreSQL store judges this host's pids too (ps under portable): 8 contenders on two hosts,
  // a SIGKILLed supervisor's locks going over only after the lease.
  'test/pg-store/two-hosts.test.ts',
];

// Tests spawn real processes; two cores are shared, so keep parallelism modest and timeouts generous.
export default defineConfig({
  test: {
    // The real-client end-to-end tests run apart: npm run test:e2e (vitest.e2e.config.ts).
    exclude: ['**/node_modules/**', 'test/e2e/**'],
    // Fixture processes import dist/: build it once when src/ is newer. PostgreSQL: one server for the run.
    globalSetup: ['test/global-setup.ts', 'test/pg-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'linux', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'portable', include: PORTABLE_SUITES, env: { AGENTVISOR_PORTABLE: '1' } } },
    ],
  },
});
