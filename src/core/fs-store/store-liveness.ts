// Liveness as one store sees it: its own pid is answered from memory (it is alive and its start
// never changes; every lock it holds is judged in every section), and on the portable path, once
// the store has been through a section (or when the call will look again: a waiting acquire), a
// pid not already known is never asked about with a blocking ps inside the critical section: it is
// "unknown" for now (never reclaimed on that) and asked in the background, so the next section
// knows. A one-shot command (a single section) still asks at once, so it reclaims a dead holder's
// lock as it would on Linux.

import type { Liveness } from '../liveness.js';

export function storeLiveness(liveness: Liveness, warm: () => boolean): Liveness {
  let ownStart: number | null | undefined;
  const start = (): number | null => (ownStart ??= liveness.processStart(process.pid));
  const others = (pids: Iterable<number>): number[] => [...pids].filter((pid) => pid !== process.pid);
  return {
    get host() {
      return liveness.host;
    },
    get bootId() {
      return liveness.bootId;
    },
    processStart: (pid) => (pid === process.pid ? start() : liveness.processStart(pid)),
    prefetch: (pids) => (warm() && liveness.prefetchAhead ? liveness.prefetchAhead(others(pids)) : liveness.prefetch?.(others(pids))),
    refreshAhead: () => liveness.refreshAhead?.() ?? Promise.resolve(),
    pidState: (pid, pidStart) => {
      const self = pid === process.pid && start() !== null && (pidStart == null || pidStart === start());
      if (self) return 'alive';
      return warm() && liveness.pidStateKnown ? liveness.pidStateKnown(pid, pidStart) : liveness.pidState(pid, pidStart);
    },
  };
}
