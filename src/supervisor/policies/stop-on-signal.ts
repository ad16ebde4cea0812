// SIGINT / SIGTERM: agents run in their own process groups, so a terminal's Ctrl-C does not reach
// them; we forward a graceful stop (SIGTERM, grace, SIGKILL). A second SIGINT kills at once.

import type { Policy } from '../policy.js';

export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export function stopOnSignal(source: SignalSource = process): Policy {
  const listeners: ['SIGINT' | 'SIGTERM', () => void][] = [];
  return {
    name: 'stop-on-signal',
    attach(run) {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        const listener = (): void => {
          if (run.stopReason === null) {
            run.stop({ kind: 'signal', signal });
            if (signal === 'SIGINT') run.log.info('stopping the agents (Ctrl-C again to kill them at once)');
          } else if (signal === 'SIGINT') {
            run.log.warn('killing every agent now');
            run.stop(run.stopReason, { immediate: true });
          }
        };
        source.on(signal, listener);
        listeners.push([signal, listener]);
      }
    },
    detach() {
      for (const [signal, listener] of listeners.splice(0)) source.off(signal, listener);
    },
  };
}
