// Every heartbeatMs: renew each agent's locks (all kept alive by our pid, those it took itself
// included) and its board entry. A renewal that reports a lost lock means the agent no longer owns
// its files: stop it, loudly. Before renewing, our own monotonic deadline is checked: if we were
// paused (SIGSTOP, a blocked loop) past the lease, the locks may be someone else's by now, so we do
// not renew anything; we stop the agent and report. A stop is never awaited here: one agent's stop
// (a grace period of seconds) must not delay the renewal of anyone else's locks.

import type { AgentProcess } from '../agent-process.js';
import type { Policy, RunContext } from '../policy.js';

/**
 * SIGKILL an agent whose lease is gone, without waiting for it to end. No grace period: its files
 * may already belong to someone else, so every moment it still writes is a second writer.
 */
function stopLoser(agent: AgentProcess, run: RunContext, paths: string[]): void {
  agent.stop({ kind: 'lease-lost', paths }, { immediate: true }).catch((error: unknown) =>
    run.log.error({ agent: agent.id, err: error }, `stopping ${agent.id} failed: ${(error as Error).message}`),
  );
}

/** One renewal of one agent's lease; false when it no longer holds it (or never did). */
async function beat(agent: AgentProcess, run: RunContext, now: number): Promise<boolean> {
  const { settings, store } = run;
  if (!agent.leaseHeld || agent.isFinished) return false;
  const paths = agent.locks.map((l) => l.file_path);
  if (now - agent.lastRenewedAt > settings.leaseMs) {
    const pausedMs = Math.round(now - agent.lastRenewedAt);
    agent.leaseHeld = false;
    run.notify({ type: 'lease-lost', agent: agent.id, paths, why: `the supervisor went ${pausedMs} ms without renewing (lease ${settings.leaseMs} ms): it was paused or blocked, so its locks may belong to someone else now` });
    stopLoser(agent, run, paths);
    return false;
  }
  // Naming the watchdog each time: a replaced one is in every record by the next heartbeat.
  const result = await store.renew(agent.id, { pid: settings.supervisorPid, expected: agent.locks, watchdog: settings.watchdog });
  if (result.lost.length > 0) {
    const lost = result.lost.map((l) => l.file_path);
    // Said once: the rest of its locks are still renewed until it is gone and they are released.
    agent.locks = agent.locks.filter((l) => !result.lost.some((gone) => gone.token === l.token && gone.file_path === l.file_path && gone.mode === l.mode));
    run.notify({ type: 'lease-lost', agent: agent.id, paths: lost, why: `${lost.join(', ')} ${lost.length === 1 ? 'was' : 'were'} reclaimed or removed by someone else` });
    stopLoser(agent, run, lost);
    return false;
  }
  if (agent.leaseHeld) agent.lastRenewedAt = now;
  if (agent.state.kind === 'running') {
    // The watchdog too: a replaced one must be the one readers check when the supervisor is gone.
    const watchdog = settings.watchdog;
    await store.updateAgent(agent.id, { heartbeat: new Date().toISOString(), watchdog_pid: watchdog?.pid ?? null, watchdog_pid_start: watchdog?.start ?? null });
  }
  return agent.leaseHeld;
}

const inFlight = new WeakMap<AgentProcess, Promise<boolean>>();

/**
 * Renew the agent's lease now, as the heartbeat does (the same lease check first); true while it
 * still holds it. A caller arriving while a renewal of the agent is under way shares that one.
 */
export function renewLease(agent: AgentProcess, run: RunContext): Promise<boolean> {
  let pending = inFlight.get(agent);
  if (!pending) {
    pending = beat(agent, run, performance.now()).finally(() => inFlight.delete(agent));
    inFlight.set(agent, pending);
  }
  return pending;
}

export function heartbeat(): Policy {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  return {
    name: 'heartbeat',
    attach(run) {
      const tick = async (): Promise<void> => {
        const due = [...run.agents.values()].filter((a) => a.leaseHeld && !a.isFinished);
        await Promise.all(
          due.map((agent) =>
            renewLease(agent, run).catch((error: unknown) =>
              run.log.warn({ agent: agent.id, err: error }, `heartbeat of ${agent.id} failed: ${(error as Error).message}`),
            ),
          ),
        );
        await run.store.flushBoard().catch(() => undefined);
        if (!stopped) timer = setTimeout(() => void tick(), run.settings.heartbeatMs);
      };
      timer = setTimeout(() => void tick(), run.settings.heartbeatMs);
    },
    detach() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
