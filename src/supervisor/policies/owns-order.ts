// Two agents whose owns overlap (no dependsOn between them) run one after the other in config
// order: the later one asks for its locks only once the earlier one holds its own (or has ended),
// and then waits for them in line like for any holder. Without this, whichever reached the store
// first would win.

import { ownsOverlaps } from '../../config/owns-overlaps.js';
import type { AgentProcess } from '../agent-process.js';
import type { Policy } from '../policy.js';

export function ownsOrder(): Policy {
  /** later agent → the earlier agents it waits for. */
  const before = new Map<string, string[]>();
  /** Agents that hold their locks or have ended: nobody waits for them any more. */
  const done = new Set<string>();
  const wakers = new Set<() => void>();
  const wake = (): void => {
    for (const w of [...wakers]) w();
  };

  const firstPending = (agent: AgentProcess): string | undefined => before.get(agent.id)?.find((id) => !done.has(id));

  return {
    name: 'owns-order',
    attach(run) {
      const agents = run.config.agents.filter((a) => run.agents.has(a.id));
      for (const o of ownsOverlaps(agents)) before.set(o.later, [...(before.get(o.later) ?? []), o.earlier]);
    },
    notify(event) {
      if (event.type === 'locked' || event.type === 'finished') {
        done.add(event.agent);
        wake();
      }
    },
    async acquire(agent, run) {
      for (let earlier = firstPending(agent); earlier !== undefined; earlier = firstPending(agent)) {
        run.notify({ type: 'waiting-for-agent', agent: agent.id, on: earlier, why: 'owns' });
        const aborted = await untilWoken(wakers, agent.signal);
        if (aborted) return { kind: 'stopped', reason: run.stopReason ?? { kind: 'aborted' }, exit: null };
      }
      return null;
    },
  };
}

/** Resolves false when woken, true when `signal` aborts first. */
function untilWoken(wakers: Set<() => void>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const finish = (aborted: boolean): void => {
      wakers.delete(woken);
      signal.removeEventListener('abort', onAbort);
      resolve(aborted);
    };
    const woken = (): void => finish(false);
    const onAbort = (): void => finish(true);
    wakers.add(woken);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
