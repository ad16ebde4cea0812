// The injectable clock: wall time (shiftable in tests by AGENTVISOR_TEST_CLOCK_OFFSET_MS, to
// simulate a wall-clock jump) and CLOCK_MONOTONIC, which on Linux is system-wide and never jumps.

export interface Clock {
  /** Wall-clock ms since the epoch (what goes into ISO timestamps). */
  now(): number;
  /** CLOCK_MONOTONIC in ms: comparable between processes of one boot, immune to clock changes. */
  mono(): number;
}

/** The offset a test applies to this process's wall clock (read once: it is an environment fact). */
function offsetFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.AGENTVISOR_TEST_CLOCK_OFFSET_MS;
  if (raw === undefined || raw === '') return 0;
  const value = Number(raw);
  return Number.isFinite(value) ? value : 0;
}

export function createClock(env: NodeJS.ProcessEnv = process.env): Clock {
  const offset = offsetFromEnv(env);
  return {
    now: () => Date.now() + offset,
    // process.hrtime reads CLOCK_MONOTONIC: since boot, shared by every process on the machine.
    mono: () => Number(process.hrtime.bigint()) / 1e6,
  };
}

export const systemClock: Clock = createClock();
