// Output for people: colour only on a terminal and never under NO_COLOR, aligned tables, and the
// conflict sentence that tells a blocked agent who holds what and how to ask for it.

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ConflictRecord, LockRecord } from '../../src/core/records.js';
import { describeConflict, formatClock, paintFor, shellQuote, table, wantsColor } from '../../src/cli/output.js';

const terminal = Object.assign(new PassThrough(), { isTTY: true });
const pipe = new PassThrough();

describe('colour', () => {
  it('is on for a terminal only, and off when NO_COLOR is set to anything but empty', () => {
    expect(wantsColor(terminal, {})).toBe(true);
    expect(wantsColor(pipe, {})).toBe(false);
    expect(wantsColor(terminal, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor(terminal, { NO_COLOR: '' })).toBe(true);
    expect(paintFor(terminal, {}).bold('x')).toBe('\x1b[1mx\x1b[22m');
    expect(paintFor(terminal, { NO_COLOR: '1' }).bold('x')).toBe('x');
  });

  it('does not break table alignment', () => {
    const rows = [['src/api/**', 'api'], ['a', 'web-frontend']];
    const plain = table(['PATH', 'HOLDER'], rows);
    const painted = table(['PATH', 'HOLDER'], rows, paintFor(terminal, {}));
    expect(plain).toEqual(['PATH        HOLDER', 'src/api/**  api', 'a           web-frontend']);
    expect(painted.slice(1)).toEqual(plain.slice(1));
    expect(painted[0]).toBe(`\x1b[1m${plain[0]}\x1b[22m`);
  });
});

describe('describeConflict', () => {
  const since = new Date(2026, 10, 24, 10, 2, 13).toISOString();
  const lock: LockRecord = {
    agent_id: 'api', file_path: 'src/api/**', timestamp: since, status: 'active', mode: 'exclusive',
    heartbeat: since, pid: null, host: 'h', token: 41, expires_at: null,
  };
  const conflict: ConflictRecord = {
    file_path: 'src/**/auth.ts', locked_by: 'api', lock_path: 'src/api/**', since, witness: 'src/api/auth.ts', kind: 'refused',
  };

  const sameDay = new Date(2026, 10, 24, 23, 59, 59);
  const nextDay = new Date(2026, 10, 25, 0, 0, 0);

  it('names the holder, mode, time, token, the overlap with a witness, and the command that asks', () => {
    expect(describeConflict(conflict, [lock], sameDay)).toBe(
      "`src/api/**` is held by api (exclusive, since 10:02:13, token 41); it overlaps `src/**/auth.ts`, e.g. `src/api/auth.ts`. " +
        "Ask for it: agentvisor send api --type handoff 'please release src/api/**'",
    );
  });

  it('says less when there is less to say: same path, or an earlier waiter rather than a holder', () => {
    const same = { ...conflict, file_path: 'src/api/**', witness: 'src/api/x' };
    expect(describeConflict(same, [lock], sameDay)).toMatch(/^`src\/api\/\*\*` is held by api \(exclusive, since 10:02:13, token 41\)\. Ask for it/);
    expect(describeConflict(conflict, [], sameDay)).toBe(
      '`src/api/**` is awaited by api, who is earlier in line (since 10:02:13); it overlaps `src/**/auth.ts`, e.g. `src/api/auth.ts`.',
    );
  });

  it('gives the date once the day has turned, whatever day the test runs on', () => {
    expect(describeConflict(conflict, [lock], nextDay)).toMatch(/^`src\/api\/\*\*` is held by api \(exclusive, since 2026-11-24 10:02, token 41\);/);
    expect(describeConflict(conflict, [], nextDay)).toContain('(since 2026-11-24 10:02)');
  });
});

describe('small formats', () => {
  it('quotes for the shell only when needed', () => {
    expect(shellQuote('api')).toBe('api');
    expect(shellQuote("it's src/**")).toBe(`'it'\\''s src/**'`);
  });

  it('shows a clock time today and a date otherwise', () => {
    const now = new Date(2026, 10, 24, 12, 0, 0);
    expect(formatClock(new Date(2026, 10, 24, 9, 5, 7).toISOString(), now)).toBe('09:05:07');
    expect(formatClock(new Date(2026, 10, 20, 9, 5, 7).toISOString(), now)).toBe('2026-11-20 09:05');
    expect(formatClock(null, now)).toBe('-');
  });
});
