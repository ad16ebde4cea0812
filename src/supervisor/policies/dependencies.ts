// dependsOn: an agent starts once every agent it depends on exited 0; if one of them did not
// succeed (failed, skipped, stopped, refused its locks), the agent is skipped, and so on down.

import type { AgentProcess } from '../agent-process.js';
import type { Policy, RunContext } from '../policy.js';

function startReady(run: RunContext): void {
  if (run.stopReason) return;
  for (const agent of run.agents.values()) {
    if (agent.state.kind !== 'pending') continue;
    const blocker = failedDependency(agent, run);
    if (blocker) agent.settle({ kind: 'skipped', dependency: blocker });
    else if (agent.spec.dependsOn.every((id) => outcomeOf(run, id) === 'succeeded')) agent.start();
  }
}

function outcomeOf(run: RunContext, id: string): string | null {
  const state = run.agents.get(id)?.state;
  return state?.kind === 'finished' ? state.outcome.kind : null;
}

function failedDependency(agent: AgentProcess, run: RunContext): string | null {
  for (const id of agent.spec.dependsOn) {
    const outcome = outcomeOf(run, id);
    if (outcome !== null && outcome !== 'succeeded') return id;
  }
  return null;
}

export function dependencies(): Policy {
  return {
    name: 'dependencies',
    attach: startReady,
    notify(event, run) {
      if (event.type === 'finished') startReady(run);
    },
  };
}
