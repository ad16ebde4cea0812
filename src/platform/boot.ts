// The boot identity written into records (`boot_id`), and how two of them compare. On Linux it is
// the kernel's boot id (a UUID from /proc). On the portable path it is the boot time, `boot@<s>`:
// on macOS now less os.uptime() (libuv asks sysctl kern.boottime: no process to spawn, which
// matters in the guard, run at every edit; `sysctl -n kern.boottime` if that fails); on Linux
// under AGENTVISOR_PORTABLE now less the uptime `uptime -s` gives (os.uptime() would read /proc).
// Both jitter by about a second, so boot times compare within a tolerance. A UUID and a boot time
// say nothing about each other: "unknown", never "different".

import { uptime } from 'node:os';
import { helperOutput } from './ps.js';
import { readBootId, readBootTimeMs } from './proc.js';
import { isPortable } from './system.js';

const BOOT_PREFIX = 'boot@';
/** Two boot times this close are one boot (a machine does not reboot within seconds of booting). */
const BOOT_TOLERANCE_S = 3;

export type BootComparison = 'same' | 'different' | 'unknown';

function bootSeconds(id: string): number | null {
  if (!id.startsWith(BOOT_PREFIX)) return null;
  const seconds = Number(id.slice(BOOT_PREFIX.length));
  return Number.isFinite(seconds) ? seconds : null;
}

/** Whether two boot ids name one boot of one machine (the hosts are compared by the caller). */
export function compareBootIds(a: string | null | undefined, b: string | null | undefined): BootComparison {
  if (!a || !b) return 'unknown';
  const sa = bootSeconds(a);
  const sb = bootSeconds(b);
  if (sa === null && sb === null) return a === b ? 'same' : 'different';
  if (sa === null || sb === null) return 'unknown';
  return Math.abs(sa - sb) <= BOOT_TOLERANCE_S ? 'same' : 'different';
}

/** `{ sec = 1733200000, usec = 123456 } Thu Dec ...` (macOS) as ms since the epoch. */
export function parseKernBoottime(text: string): number | null {
  const match = /sec\s*=\s*(\d+),\s*usec\s*=\s*(\d+)/.exec(text);
  return match ? Number(match[1]) * 1000 + Math.floor(Number(match[2]) / 1000) : null;
}

/** `uptime -s` (procps: `2026-12-03 09:21:12`, in UTC as we run it) as ms since the epoch. */
export function parseUptimeSince(text: string): number | null {
  const ms = Date.parse(`${text.trim().replace(' ', 'T')}Z`);
  return Number.isFinite(ms) ? ms : null;
}

/** The boot time in ms since the epoch, by portable means; null when no helper tells. */
function portableBootTimeMs(): number | null {
  if (process.platform === 'darwin') {
    const seconds = uptime();
    if (seconds > 0) return Date.now() - seconds * 1000;
    const text = helperOutput('sysctl', ['-n', 'kern.boottime']);
    return text ? parseKernBoottime(text) : null;
  }
  const text = helperOutput('uptime', ['-s']);
  return text ? parseUptimeSince(text) : null;
}

interface Boot {
  id: string | null;
  timeMs: number | null;
}

let native: Boot | undefined;
let portable: Boot | undefined;

function boot(): Boot {
  if (isPortable()) {
    if (!portable) {
      const timeMs = portableBootTimeMs();
      portable = { id: timeMs === null ? null : `${BOOT_PREFIX}${Math.round(timeMs / 1000)}`, timeMs };
    }
    return portable;
  }
  native ??= { id: readBootId(), timeMs: readBootTimeMs() };
  return native;
}

/** This machine's boot id as records carry it, or null where nothing tells. */
export function bootId(): string | null {
  return boot().id;
}

/** When this machine booted (ms since the epoch), or null: to compare start stamps across units. */
export function bootTimeMs(): number | null {
  return boot().timeMs;
}
