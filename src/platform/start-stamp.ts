// A process's start, as records carry it (`pid_start`, `watchdog_pid_start`, claim names): a number
// in one of two units, told apart by size. On Linux (reading /proc) it is clock ticks since boot
// (/proc/PID/stat field 22), exact; on the portable path (`ps -o lstart`, whole seconds) it is ms
// since the epoch. Ticks stay below 1e12 for 300 years of uptime; epoch ms are above it since 2001.
// Stamps of one unit compare exactly; across units, through the boot time, within a tolerance.

/** Stamps at or above this are ms since the epoch; below, clock ticks since boot. */
export const EPOCH_STAMP_MIN = 1e12;

/** USER_HZ: /proc's clock ticks per second (100 on every Linux architecture agentvisor runs on). */
export const TICKS_PER_SECOND = 100;

/**
 * How far two views of one start may differ across units: `lstart` truncates to the second and a
 * boot time derived from the uptime jitters by about a second. A pid reused within this long of
 * its previous owner's start is not told apart (pids wrap far more slowly than that).
 */
export const CROSS_UNIT_TOLERANCE_MS = 2_500;

export function isEpochStamp(stamp: number): boolean {
  return stamp >= EPOCH_STAMP_MIN;
}

/** What one look at a live process tells of its start. */
export interface ObservedStart {
  /** Clock ticks since boot, when /proc was read. */
  ticks: number | null;
  /** ms since the epoch, when known (whole seconds from `ps`, or derived from ticks and the boot time). */
  epochMs: number | null;
}

/** Whether the process observed now is the one that was recorded: true, false, or null when nothing can be said. */
export function sameStart(recorded: number, observed: ObservedStart, bootEpochMs: number | null): boolean | null {
  if (!isEpochStamp(recorded)) {
    if (observed.ticks !== null) return observed.ticks === recorded;
    if (observed.epochMs === null || bootEpochMs === null) return null;
    return Math.abs(bootEpochMs + (recorded * 1000) / TICKS_PER_SECOND - observed.epochMs) <= CROSS_UNIT_TOLERANCE_MS;
  }
  if (observed.epochMs === null) return null;
  // Both from `ps` (whole seconds of one clock): equal; else one side was derived from ticks.
  if (observed.ticks === null) return observed.epochMs === recorded;
  return Math.abs(observed.epochMs - recorded) <= CROSS_UNIT_TOLERANCE_MS;
}
