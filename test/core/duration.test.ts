// Durations: the accepted forms, the refusals (coded, naming the value and the option), and the
// human format.

import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/core/duration.js';
import { AgentvisorError } from '../../src/core/errors.js';

describe('parseDuration', () => {
  it('accepts ms, s, m, h, fractions and plain milliseconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('0')).toBe(0);
  });

  it.each(['5x', '-1s', '', ' 5s', '5s ', '1e3', '5 s', 's', '.5s', '1h30m', '5S', 'Infinity', '99999999999999999999'])(
    'refuses %j with INVALID_DURATION naming the value and the option',
    (value) => {
      let error: unknown;
      try {
        parseDuration(value, '--ttl');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AgentvisorError);
      expect((error as AgentvisorError).code).toBe('INVALID_DURATION');
      expect((error as AgentvisorError).message).toContain('--ttl');
      expect((error as AgentvisorError).message).toContain(value === '' ? 'empty' : JSON.stringify(value));
      expect((error as AgentvisorError).facts).toEqual({ value, option: '--ttl' });
    },
  );

  it('refuses 0 when asked to', () => {
    expect(() => parseDuration('0s', '--ttl', { allowZero: false })).toThrow(/--ttl: invalid duration "0s"; it must be more than 0/);
  });
});

describe('formatDuration', () => {
  it('reads like a person would say it', () => {
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(12_400)).toBe('12s');
    expect(formatDuration(185_000)).toBe('3m 5s');
    expect(formatDuration(120_000)).toBe('2m');
    expect(formatDuration(7_800_000)).toBe('2h 10m');
    expect(formatDuration(5 * 86_400_000)).toBe('5d');
  });
});
