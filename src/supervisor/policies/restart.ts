// Restart policy `never` | `on-failure` | `always`, at most `maxRestarts` times, with a doubling
// backoff. An agent the supervisor itself stopped (timeout, lost lease, shutdown) is not restarted.

import type { Policy } from '../policy.js';

export const BACKOFF_FIRST_MS = 100;
export const BACKOFF_MAX_MS = 5_000;

export function backoffMs(restarts: number): number {
  return Math.min(BACKOFF_FIRST_MS * 2 ** restarts, BACKOFF_MAX_MS);
}

export function restart(): Policy {
  return {
    name: 'restart',
    restartDelay(agent, exit) {
      const { restart: when, maxRestarts } = agent.spec;
      if (when === 'never' || agent.stopCause !== null || agent.restarts >= maxRestarts) return null;
      const failed = exit.code !== 0 || exit.error !== undefined;
      if (when === 'on-failure' && !failed) return null;
      return backoffMs(agent.restarts);
    },
  };
}
