// Stopping or restarting one agent of a running run from outside it (the dashboard): a small
// interface over the run, answering why not when it cannot.

import type { RunContext } from './policy.js';

export type ControlAnswer =
  | { ok: true; detail: string }
  | { ok: false; why: 'unknown-agent' | 'not-running' | 'run-stopping'; detail: string };

export interface RunControl {
  /** The agents of this run, in config order. */
  agentIds(): string[];
  /** Stop one agent (its input closed, SIGTERM, SIGKILL after the grace period); the run goes on. */
  stop(agentId: string, by: string): ControlAnswer;
  /** End its process and start it again at once; its locks stay held meanwhile. */
  restart(agentId: string, by: string): ControlAnswer;
}

export function runControl(run: RunContext): RunControl {
  const find = (agentId: string, action: string): ControlAnswer | { agent: NonNullable<ReturnType<RunContext['agents']['get']>> } => {
    const agent = run.agents.get(agentId);
    if (!agent) return { ok: false, why: 'unknown-agent', detail: `no agent "${agentId}" in this run (agents: ${[...run.agents.keys()].join(', ')})` };
    if (run.stopReason) return { ok: false, why: 'run-stopping', detail: `the run is stopping: cannot ${action} ${agentId}` };
    if (agent.isFinished) return { ok: false, why: 'not-running', detail: `${agentId} has finished` };
    return { agent };
  };
  return {
    agentIds: () => [...run.agents.keys()],
    stop(agentId, by) {
      const found = find(agentId, 'stop');
      if (!('agent' in found)) return found;
      const { agent } = found;
      run.log.info({ agent: agentId }, `stop requested by ${by}`);
      if (agent.state.kind === 'pending') agent.settle({ kind: 'stopped', reason: { kind: 'requested', by }, exit: null });
      else void agent.stop({ kind: 'requested', by });
      return { ok: true, detail: `stopping ${agentId}` };
    },
    restart(agentId, by) {
      const found = find(agentId, 'restart');
      if (!('agent' in found)) return found;
      const { agent } = found;
      if (!agent.restart()) {
        const now = agent.state.kind === 'running' ? 'already stopping or restarting' : agent.state.kind === 'restarting' ? 'restarting already' : 'not started yet';
        return { ok: false, why: 'not-running', detail: `${agentId} is ${now}` };
      }
      run.log.info({ agent: agentId }, `restart requested by ${by}: its locks stay held`);
      return { ok: true, detail: `restarting ${agentId}` };
    },
  };
}
