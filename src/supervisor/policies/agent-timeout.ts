// An agent's own `timeoutMs`: stop it (SIGTERM, grace, SIGKILL) when one run of it lasts longer.
// A timed-out agent is a failure and is not restarted.

import type { Policy } from '../policy.js';

export function agentTimeout(): Policy {
  const timers = new Map<string, NodeJS.Timeout>();
  const clear = (id: string): void => {
    clearTimeout(timers.get(id));
    timers.delete(id);
  };
  return {
    name: 'agent-timeout',
    onSpawn(agent) {
      const timeoutMs = agent.spec.timeoutMs;
      if (timeoutMs === null) return;
      clear(agent.id);
      timers.set(agent.id, setTimeout(() => void agent.stop({ kind: 'timed-out', timeoutMs }), timeoutMs));
    },
    afterExit(agent) {
      clear(agent.id);
    },
    detach() {
      for (const id of [...timers.keys()]) clear(id);
    },
  };
}
