// Durations as users write them (`500ms`, `30s`, `10m`, `1h`, or plain milliseconds) → milliseconds.

import { AgentvisorError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

// Digits with an optional fraction and an optional unit; no sign, no spaces, no exponent.
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

export interface DurationOptions {
  /** Accept 0 (e.g. `--wait 0`: try once). Default true. */
  allowZero?: boolean;
}

/**
 * Parse a duration. `option` names where the value came from (`--ttl`) so the error can say so.
 * Throws AgentvisorError INVALID_DURATION naming the value and the option.
 */
export function parseDuration(value: string, option?: string, options: DurationOptions = {}): number {
  const match = DURATION.exec(value);
  const ms = match ? Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 'ms']!) : Number.NaN;
  if (!Number.isSafeInteger(ms)) throw invalid(value, option, 'use 500ms, 30s, 10m, 1h or plain milliseconds');
  if (ms === 0 && options.allowZero === false) throw invalid(value, option, 'it must be more than 0');
  return ms;
}

function invalid(value: string, option: string | undefined, hint: string): AgentvisorError {
  const what = `${option ? `${option}: ` : ''}${value === '' ? 'the duration is empty' : `invalid duration ${JSON.stringify(value)}`}`;
  return new AgentvisorError('INVALID_DURATION', `${what}; ${hint}`, { value, option });
}

/** A duration for people: `250ms`, `12s`, `3m 5s`, `2h 10m`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1_000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  return `${Math.floor(h / 24)}d`;
}
