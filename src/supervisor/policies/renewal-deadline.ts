// The supervisor-side kill deadline (contract, "The distributed store"): an agent whose renewals
// keep failing (a database that is down or cut off, a stalled connection) is SIGKILLed once the
// last successful renewal (when it was sent) + the lease − one heartbeat has passed, on a timer of
// its own that no stalled store call can hold up, so its writes stop before another host can be
// granted its paths. Store-agnostic. (Issue 8 builds the same rule into the heartbeat; until that
// lands, this policy keeps it.)

import type { Policy, RunContext } from '../policy.js';

/** How often the deadline is checked, as a share of the heartbeat (the kill comes this late at most). */
const CHECKS_PER_HEARTBEAT = 10;

function check(run: RunContext): void {
  const now = performance.now();
  for (const agent of run.agents.values()) {
    if (!agent.leaseHeld || agent.isFinished) continue;
    const deadline = agent.lastRenewedAt + run.settings.leaseMs - run.settings.heartbeatMs;
    if (now < deadline) continue;
    const paths = agent.locks.map((l) => l.file_path);
    agent.leaseHeld = false;
    run.notify({
      type: 'lease-lost',
      agent: agent.id,
      paths,
      why: `no renewal succeeded for ${Math.round(now - agent.lastRenewedAt)} ms (lease ${run.settings.leaseMs} ms): killed a heartbeat before its locks could be reclaimed`,
    });
    agent.stop({ kind: 'lease-lost', paths }, { immediate: true }).catch((error: unknown) =>
      run.log.error({ agent: agent.id, err: error }, `stopping ${agent.id} failed: ${(error as Error).message}`),
    );
  }
}

export function renewalDeadline(): Policy {
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'renewal-deadline',
    attach(run) {
      timer = setInterval(() => check(run), Math.max(5, run.settings.heartbeatMs / CHECKS_PER_HEARTBEAT));
    },
    detach() {
      clearInterval(timer);
    },
  };
}
