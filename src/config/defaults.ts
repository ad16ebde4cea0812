// The defaults of agents.config.json, in one place: the zod schema shows them to editors and the
// normaliser applies the ones that depend on other fields.

import type { MessageRouting, OnConflict, RestartPolicy } from './types.js';

export const DEFAULTS = {
  heartbeatMs: 5_000,
  onConflict: 'wait' as OnConflict,
  /** Ten minutes; null in the config waits forever. */
  lockTimeoutMs: 600_000,
  shutdownGraceMs: 10_000,
  restart: 'never' as RestartPolicy,
  cwd: '.',
  allowFailure: false,
  guard: true,
  mcp: true,
  messages: { to: 'inbox' } as MessageRouting,
  /** The format of `"messages": "stdin"` and of `{ "to": "stdin" }` without a format. */
  stdinFormat: 'text' as const,
} as const;

/**
 * Restarts allowed when the config does not say: none for `never`; three for `on-failure` and
 * `always`, so a crashing agent cannot loop forever (pm2 bounds restarts too; concurrently's
 * `--restart-tries` must be given).
 */
export function defaultMaxRestarts(restart: RestartPolicy): number {
  return restart === 'never' ? 0 : 3;
}
