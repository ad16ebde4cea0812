// Every heartbeatMs: renew each agent's locks (all kept alive by our pid for it, those it took
// itself included, under any agent id) and its board entry. Each agent also has a deadline of its
// own (lease-deadline.ts: the last successful renewal + lease − one heartbeat) on a timer of its
// own: when it passes without a renewal, the agent's tree is SIGKILLed, before anyone else can be
// granted its paths. A failed renewal is retried well inside that deadline, and no renewal waits
// for the store past half the time left; a log line says when renewals fail and one when they
// succeed again. A renewal that reports a lost lock means the agent no longer owns its files: stop
// it, loudly. A stop is never awaited here: one agent's stop must not
// delay the renewal of anyone else's locks.

import type { AgentProcess } from '../agent-process.js';
import { killDeadline, renewalBudget, retryAt } from '../lease-deadline.js';
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

/** The agent's kill deadline (performance.now() scale). */
export function deadlineOf(agent: AgentProcess, run: RunContext): number {
  return killDeadline(agent.lastRenewedAt, run.settings);
}

const guards = new WeakMap<AgentProcess, NodeJS.Timeout>();
const retries = new WeakMap<AgentProcess, NodeJS.Timeout>();

function disarm(agent: AgentProcess): void {
  clearTimeout(guards.get(agent));
  clearTimeout(retries.get(agent));
  guards.delete(agent);
  retries.delete(agent);
}

/** The agent has lost its lease: say so once and kill it now. */
function loseLease(agent: AgentProcess, run: RunContext, paths: string[], why: string): void {
  agent.leaseHeld = false;
  disarm(agent);
  run.notify({ type: 'lease-lost', agent: agent.id, paths, why });
  stopLoser(agent, run, paths);
}

/** (Re)arm the agent's own kill timer at its deadline (after the grant, and after each renewal). */
export function armDeadline(agent: AgentProcess, run: RunContext): void {
  clearTimeout(guards.get(agent));
  if (!agent.leaseHeld || agent.isFinished) return void guards.delete(agent);
  const timer = setTimeout(() => onDeadline(agent, run), Math.max(0, deadlineOf(agent, run) - performance.now()));
  guards.set(agent, timer);
}

function onDeadline(agent: AgentProcess, run: RunContext, looked = false): void {
  guards.delete(agent);
  if (!agent.leaseHeld || agent.isFinished) return;
  const now = performance.now();
  if (now < deadlineOf(agent, run)) return armDeadline(agent, run);
  // A late timer (a busy event loop) may run before the answer of a renewal that already came
  // back: look once more after this turn's I/O, then decide.
  if (!looked && inFlight.has(agent)) return void setImmediate(() => onDeadline(agent, run, true));
  const silentMs = Math.round(now - agent.lastRenewedAt);
  loseLease(agent, run, agent.locks.map((l) => l.file_path), `no renewal succeeded for ${silentMs} ms (lease ${run.settings.leaseMs} ms): it is killed a heartbeat before its locks could be reclaimed`);
}

/** One renewal of one agent's lease; false when it no longer holds it (or never did). */
async function beat(agent: AgentProcess, run: RunContext, sentAt: number): Promise<boolean> {
  const { settings, store } = run;
  if (!agent.leaseHeld || agent.isFinished) return false;
  const paths = agent.locks.map((l) => l.file_path);
  const deadline = deadlineOf(agent, run);
  if (sentAt >= deadline) {
    // Paused (SIGSTOP, a blocked loop) past the deadline: the locks may be someone else's soon.
    const pausedMs = Math.round(sentAt - agent.lastRenewedAt);
    loseLease(agent, run, paths, `the supervisor went ${pausedMs} ms without renewing (lease ${settings.leaseMs} ms): it was paused or blocked, so its locks may belong to someone else now`);
    return false;
  }
  // Naming the watchdog each time: a replaced one is in every record by the next heartbeat.
  const result = await store.renew(agent.id, { pid: settings.supervisorPid, expected: agent.locks, watchdog: settings.watchdog, waitMs: renewalBudget(sentAt, deadline) });
  if (result.lost.length > 0) {
    const lost = result.lost.map((l) => l.file_path);
    // Said once: the rest of its locks are still renewed until it is gone and they are released.
    agent.locks = agent.locks.filter((l) => !result.lost.some((gone) => gone.token === l.token && gone.file_path === l.file_path && gone.mode === l.mode));
    loseLease(agent, run, lost, `${lost.join(', ')} ${lost.length === 1 ? 'was' : 'were'} reclaimed or removed by someone else`);
    return false;
  }
  if (!agent.leaseHeld) return false;
  agent.lastRenewedAt = Math.max(agent.lastRenewedAt, sentAt);
  armDeadline(agent, run);
  run.notify({ type: 'renewed', agent: agent.id });
  if (agent.state.kind === 'running') {
    // The watchdog too: a replaced one must be the one readers check when the supervisor is gone.
    const watchdog = settings.watchdog;
    await store
      .updateAgent(agent.id, { heartbeat: new Date().toISOString(), watchdog_pid: watchdog?.pid ?? null, watchdog_pid_start: watchdog?.start ?? null })
      .catch(() => undefined);
  }
  return true;
}

const inFlight = new WeakMap<AgentProcess, Promise<boolean>>();

/**
 * Renew the agent's lease now, as the heartbeat does (the same deadline check first); true while it
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

/** Renewals of the agent failing since (performance.now()), and how many failed. */
const failing = new WeakMap<AgentProcess, { since: number; failures: number }>();

/** After failures, the first renewal that succeeds says so once, with how long they failed. */
function recovered(agent: AgentProcess, run: RunContext, held: boolean): void {
  const failed = failing.get(agent);
  if (!failed) return;
  failing.delete(agent);
  if (!held) return;
  const ms = Math.round(performance.now() - failed.since);
  run.log.info({ agent: agent.id, failedMs: ms, failures: failed.failures }, `heartbeat of ${agent.id} recovered: renewals failed for ${ms} ms (${failed.failures} ${failed.failures === 1 ? 'attempt' : 'attempts'})`);
}

/** Renew, and after a failure try again well inside the deadline (the heartbeat goes on meanwhile). */
function renewOrRetry(agent: AgentProcess, run: RunContext): Promise<void> {
  return renewLease(agent, run).then(
    (held) => recovered(agent, run, held),
    (error: unknown) => {
      const failed = failing.get(agent);
      if (failed) failed.failures++;
      else failing.set(agent, { since: performance.now(), failures: 1 });
      run.log.warn({ agent: agent.id, err: error }, `heartbeat of ${agent.id} failed: ${(error as Error).message}`);
      const now = performance.now();
      const at = retryAt(now, deadlineOf(agent, run), run.settings);
      if (at === null || !agent.leaseHeld || agent.isFinished) return;
      clearTimeout(retries.get(agent));
      retries.set(agent, setTimeout(() => {
        retries.delete(agent);
        void renewOrRetry(agent, run);
      }, at - now));
    },
  );
}

export function heartbeat(): Policy {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let flushing = false;
  return {
    name: 'heartbeat',
    attach(run) {
      // At a fixed rate: a slow renewal or board write must not push the next renewal later (the
      // kill deadline counts from the last one sent). An agent whose renewal is still under way
      // shares it (renewLease).
      const tick = async (): Promise<void> => {
        if (stopped) return;
        timer = setTimeout(() => void tick(), run.settings.heartbeatMs);
        const due = [...run.agents.values()].filter((a) => a.leaseHeld && !a.isFinished);
        // Every entry this run still keeps (waiting ones too), on a store that judges other hosts' by time.
        const kept = [...run.agents.values()].filter((a) => !a.isFinished).map((a) => a.id);
        const touched = run.store.touchAgents?.(kept).catch((error: unknown) => run.log.debug({ err: error }, 'touching the board entries failed'));
        await Promise.all([...due.map((agent) => renewOrRetry(agent, run)), touched]);
        if (!flushing) {
          flushing = true;
          await run.store.flushBoard().catch(() => undefined);
          flushing = false;
        }
      };
      timer = setTimeout(() => void tick(), run.settings.heartbeatMs);
    },
    async afterExit(agent, _exit, run) {
      // Paused past the deadline (SIGSTOP, a blocked loop), this process may learn of the exit
      // (the watchdog killed the agent meanwhile) before its deadline's timer runs: the lost lease
      // is what ended the agent, and it must be said, and stop any restart. A renewal sent in time
      // and still under way (bounded by its budget) may yet have kept the lease: its answer first.
      const overdue = (): boolean => agent.leaseHeld && !agent.isFinished && performance.now() >= deadlineOf(agent, run);
      if (!overdue()) return;
      await inFlight.get(agent)?.catch(() => false);
      if (overdue()) onDeadline(agent, run, true);
    },
    notify(event, run) {
      // The deadline runs from the grant: armed as soon as the agent holds its lease.
      if (event.type !== 'locked' && event.type !== 'started') return;
      const agent = run.agents.get(event.agent);
      if (agent && agent.leaseHeld && !guards.has(agent)) armDeadline(agent, run);
    },
    detach(run) {
      stopped = true;
      clearTimeout(timer);
      for (const agent of run.agents.values()) disarm(agent);
    },
  };
}
