// Ctrl-Z (SIGTSTP) pauses the whole run like a shell job: agents run in their own sessions, so the
// terminal's signal never reaches them; we SIGSTOP every agent's tree, then stop ourselves. The
// handler is a JS callback, run between turns of the event loop, never inside the store's critical
// section (its body is synchronous): the supervisor never stops holding the store's mutex, which
// would freeze every other process of the store. On SIGCONT (`fg`, `bg`, `kill -CONT`) each
// agent's locks are renewed before it continues; one whose lease passed during the pause is
// SIGKILLed instead (the heartbeat's rule), never continued: its files may be someone else's now.

import type { AgentProcess, AgentState } from '../agent-process.js';
import { signalTree } from '../kill-tree.js';
import type { Policy, RunContext } from '../policy.js';
import { deadlineOf, renewLease } from './heartbeat.js';

interface PausedAgent {
  agent: AgentProcess;
  /** The run of its process that was paused (a later one is not ours to continue). */
  state: AgentState;
  pid: number;
}

export function jobControl(): Policy {
  let listener: (() => void) | null = null;
  let pauses = 0;
  return {
    name: 'job-control',
    attach(run) {
      listener = () => {
        const generation = ++pauses;
        const paused = pauseAgents(run);
        run.log.warn(`paused (SIGTSTP) with ${paused.length} agent${paused.length === 1 ? '' : 's'}: \`fg\` or SIGCONT continues the run; an agent whose lease passes meanwhile is killed instead`);
        // Stops here until SIGCONT; SIGSTOP cannot be caught, so this is not a loop.
        process.kill(process.pid, 'SIGSTOP');
        void continueAgents(run, paused, () => generation === pauses);
      };
      process.on('SIGTSTP', listener);
    },
    detach() {
      if (listener) process.off('SIGTSTP', listener);
      listener = null;
    },
  };
}

function pauseAgents(run: RunContext): PausedAgent[] {
  const paused: PausedAgent[] = [];
  for (const agent of run.agents.values()) {
    const state = agent.state;
    if (state.kind !== 'running') continue;
    signalTree(state.pid, run.marker(agent.id), 'SIGSTOP', agent.extraMembers);
    paused.push({ agent, state, pid: state.pid });
  }
  return paused;
}

async function continueAgents(run: RunContext, paused: PausedAgent[], latest: () => boolean): Promise<void> {
  await Promise.all(
    paused.map(async ({ agent, state, pid }) => {
      const keep = await mayContinue(agent, run);
      // A newer pause owns it now, or this run of it is over.
      if (!latest() || agent.state !== state) return;
      if (keep) signalTree(pid, run.marker(agent.id), 'SIGCONT', agent.extraMembers);
    }),
  );
}

/** Whether the agent may run again: its locks renewed after the pause (or it holds none to lose). */
async function mayContinue(agent: AgentProcess, run: RunContext): Promise<boolean> {
  if (!agent.leaseHeld) return agent.stopCause?.kind !== 'lease-lost';
  try {
    let held = await renewLease(agent, run);
    // A renewal already under way when we stopped proves nothing about the pause: look again.
    if (held && performance.now() >= deadlineOf(agent, run)) held = await renewLease(agent, run);
    return held;
  } catch (error) {
    // The store failed, not the lease: before its deadline it is still ours; the heartbeat goes on.
    run.log.warn({ agent: agent.id, err: error }, `renewing ${agent.id}'s locks after the pause failed: ${(error as Error).message}`);
    return performance.now() < deadlineOf(agent, run);
  }
}
