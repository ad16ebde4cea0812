// `--timeout D`: stop every agent after D (the run exits 124).

import type { Policy } from '../policy.js';

export function runTimeout(): Policy {
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'run-timeout',
    attach(run) {
      const timeoutMs = run.settings.timeoutMs;
      if (timeoutMs === null) return;
      timer = setTimeout(() => run.stop({ kind: 'run-timeout', timeoutMs }), timeoutMs);
    },
    detach() {
      clearTimeout(timer);
    },
  };
}
