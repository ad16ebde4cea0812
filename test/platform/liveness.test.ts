// The platform layer's answers, both ways on this machine: /proc (Linux) and ps (portable, as on
// macOS). Start stamps of either unit judge the same process alike; boot ids compare with a
// tolerance and never call a UUID and a boot time different; ps is asked once for many pids; the
// parsers read what procps and macOS print.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { bootId, compareBootIds, parseKernBoottime, parseUptimeSince } from '../../src/platform/boot.js';
import { pidState, prefetch, processStart } from '../../src/platform/liveness.js';
import { parseLstart, psCalls } from '../../src/platform/ps.js';
import { CROSS_UNIT_TOLERANCE_MS, isEpochStamp, sameStart } from '../../src/platform/start-stamp.js';
import { isPortable, unsupportedPlatform } from '../../src/platform/system.js';
import { deadPid } from '../core/store/support.js';

const suiteValue = process.env.AGENTVISOR_PORTABLE;

/** Run `body` as a portable process or a Linux one (the layer reads the variable at each call). */
function as<T>(portable: boolean, body: () => T): T {
  process.env.AGENTVISOR_PORTABLE = portable ? '1' : '0';
  try {
    return body();
  } finally {
    if (suiteValue === undefined) delete process.env.AGENTVISOR_PORTABLE;
    else process.env.AGENTVISOR_PORTABLE = suiteValue;
  }
}

afterEach(() => {
  if (suiteValue === undefined) delete process.env.AGENTVISOR_PORTABLE;
  else process.env.AGENTVISOR_PORTABLE = suiteValue;
});

function btimeSeconds(): number {
  return Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
}

async function sleeper(): Promise<number> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  onTestFinished(() => void child.kill('SIGKILL'));
  await new Promise((resolve) => child.once('spawn', resolve));
  return child.pid!;
}

describe('which paths a process takes', () => {
  it('AGENTVISOR_PORTABLE=1 (or true/yes) on Linux; always elsewhere; Windows is refused, pointing to WSL', () => {
    expect(isPortable({ AGENTVISOR_PORTABLE: '1' }, 'linux')).toBe(true);
    expect(isPortable({ AGENTVISOR_PORTABLE: 'true' }, 'linux')).toBe(true);
    expect(isPortable({ AGENTVISOR_PORTABLE: '0' }, 'linux')).toBe(false);
    expect(isPortable({}, 'linux')).toBe(false);
    expect(isPortable({}, 'darwin')).toBe(true);
    expect(unsupportedPlatform('win32')).toMatch(/WSL/);
    expect(unsupportedPlatform('darwin')).toBeNull();
    expect(unsupportedPlatform('linux')).toBeNull();
  });
});

describe('start stamps', () => {
  it('ticks (Linux) and epoch ms (ps) of one process are the same start; another second is not', () => {
    const native = as(false, () => processStart(process.pid))!;
    const portable = as(true, () => processStart(process.pid))!;
    expect(isEpochStamp(native)).toBe(false);
    expect(isEpochStamp(portable)).toBe(true);
    expect(portable % 1000).toBe(0);
    const derived = btimeSeconds() * 1000 + native * 10;
    expect(Math.abs(derived - portable)).toBeLessThan(1000 + 1);
    for (const portableJudge of [false, true]) {
      as(portableJudge, () => {
        expect(pidState(process.pid, native)).toBe('alive');
        expect(pidState(process.pid, portable)).toBe('alive');
        expect(pidState(process.pid, portable + CROSS_UNIT_TOLERANCE_MS + 1000)).toBe('dead');
        expect(pidState(process.pid, native + (CROSS_UNIT_TOLERANCE_MS / 10) * 2)).toBe('dead');
      });
    }
  });

  it('same unit compares exactly; across units within the tolerance; null when nothing can be said', () => {
    expect(sameStart(500, { ticks: 500, epochMs: null }, null)).toBe(true);
    expect(sameStart(500, { ticks: 501, epochMs: null }, null)).toBe(false);
    const boot = 1_796_289_672_000;
    expect(sameStart(500, { ticks: null, epochMs: boot + 5_000 }, boot)).toBe(true);
    expect(sameStart(500, { ticks: null, epochMs: boot + 9_000 }, boot)).toBe(false);
    expect(sameStart(500, { ticks: null, epochMs: boot + 5_000 }, null)).toBeNull();
    expect(sameStart(boot + 5_000, { ticks: null, epochMs: boot + 5_000 }, boot)).toBe(true);
    expect(sameStart(boot + 5_000, { ticks: null, epochMs: boot + 6_000 }, boot)).toBe(false);
    expect(sameStart(boot + 5_000, { ticks: 510, epochMs: boot + 5_100 }, boot)).toBe(true);
    expect(sameStart(boot + 5_000, { ticks: null, epochMs: null }, boot)).toBeNull();
  });
});

describe('pid states, portable', () => {
  it('a live pid is alive, an exited one dead; many pids cost one ps', async () => {
    const pids = [await sleeper(), await sleeper(), await sleeper()];
    const gone = await deadPid();
    as(true, () => {
      const before = psCalls.count;
      prefetch([...pids, gone, process.ppid]);
      expect(psCalls.count - before).toBe(1);
      for (const pid of pids) expect(pidState(pid, processStart(pid))).toBe('alive');
      expect(pidState(gone, null)).toBe('dead');
      expect(psCalls.count - before).toBe(1);
    });
  });
});

describe('boot identity', () => {
  it('portable: a boot time near /proc/stat btime; a UUID and a boot time are never "different"', () => {
    const id = as(true, () => bootId())!;
    expect(id).toMatch(/^boot@\d+$/);
    expect(compareBootIds(id, `boot@${btimeSeconds()}`)).toBe('same');
    expect(compareBootIds(id, `boot@${btimeSeconds() + 60}`)).toBe('different');
    const uuid = as(false, () => bootId())!;
    expect(compareBootIds(uuid, id)).toBe('unknown');
    expect(compareBootIds(uuid, uuid)).toBe('same');
    expect(compareBootIds(uuid, '00000000-0000-0000-0000-000000000000')).toBe('different');
    expect(compareBootIds(null, id)).toBe('unknown');
  });

  it('parses what the helpers print', () => {
    expect(parseLstart('Thu Dec  3 09:21:12 2026'.trim().split(/\s+/))).toBe(Date.UTC(2026, 11, 3, 9, 21, 12));
    expect(parseKernBoottime('{ sec = 1796289672, usec = 250000 } Thu Dec  3 09:21:12 2026')).toBe(1_796_289_672_250);
    expect(parseUptimeSince('2026-12-03 09:21:12\n')).toBe(Date.UTC(2026, 11, 3, 9, 21, 12));
  });
});
