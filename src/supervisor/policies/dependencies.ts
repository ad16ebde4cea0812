// dependsOn: an agent starts once every agent it depends on exited 0; if one of them did not
// succeed (failed, skipped, stopped, refused its locks), the agent is skipped, and so on down.

import type { AgentProcess } from '../agent-process.js';
import type { Policy, RunContext } from '../policy.js';

/** Start what may start; say what each agent still waits for (once per dependency awaited). */
function startReady(run: RunContext, said: Map<string, string>): void {
  if (run.stopReason) return;
  for (const agent of run.agents.values()) {
    if (agent.state.kind !== 'pending') continue;
    const blocker = failedDependency(agent, run);
    if (blocker) agent.settle({ kind: 'skipped', dependency: blocker });
    else {
      const awaited = agent.spec.dependsOn.find((id) => outcomeOf(run, id) !== 'succeeded');
      if (awaited === undefined) agent.start();
      else if (said.get(agent.id) !== awaited) {
        said.set(agent.id, awaited);
        run.notify({ type: 'waiting-for-agent', agent: agent.id, on: awaited, why: 'dependsOn' });
      }
    }
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
  const said = new Map<string, string>();
  return {
    name: 'dependencies',
    attach: (run) => startReady(run, said),
    notify(event, run) {
      if (event.type === 'finished') startReady(run, said);
    },
  };
}
