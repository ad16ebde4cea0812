// Each agent's board entry: waiting → running → restarting → exited | failed | skipped | stopped,
// with its pid, start, exit code or signal and restarts. Writes go one after another per agent.

import { hostname } from 'node:os';
import type { AgentEntry, AgentStatus } from '../../core/records.js';
import type { AgentProcess } from '../agent-process.js';
import type { AgentOutcome } from '../events.js';
import type { Policy, RunContext } from '../policy.js';

function finalStatus(outcome: AgentOutcome): AgentStatus {
  switch (outcome.kind) {
    case 'succeeded':
      return 'exited';
    case 'skipped':
      return 'skipped';
    case 'stopped':
      return 'stopped';
    case 'failed':
    case 'timed-out':
    case 'lease-lost':
    case 'lock-conflict':
    case 'lock-timeout':
      return 'failed';
  }
}

function exitFields(agent: AgentProcess | undefined): Partial<AgentEntry> {
  const exit = agent?.lastExit;
  return exit ? { exit_code: exit.code, signal: exit.signal } : {};
}

export function board(): Policy {
  const chains = new Map<string, Promise<void>>();
  let context: RunContext | null = null;
  const update = (id: string, patch: Partial<AgentEntry>): void => {
    const run = context;
    if (!run) return;
    const previous = chains.get(id) ?? Promise.resolve();
    chains.set(
      id,
      previous.then(() => run.store.updateAgent(id, patch)).catch((error: unknown) => run.log.debug({ agent: id, err: error }, 'board update failed')),
    );
  };
  return {
    name: 'board',
    attach(run) {
      context = run;
      for (const agent of run.agents.values()) {
        update(agent.id, {
          status: 'waiting', files: [...agent.spec.owns, ...agent.spec.reads], pid: null, host: hostname(),
          started_at: null, heartbeat: null, exit_code: null, signal: null, restarts: 0,
        });
      }
    },
    notify(event, run) {
      const agent = run.agents.get('agent' in event ? event.agent : '');
      switch (event.type) {
        case 'started': {
          const now = new Date().toISOString();
          update(event.agent, { status: 'running', pid: event.pid, started_at: now, heartbeat: now, exit_code: null, signal: null });
          return;
        }
        case 'restarting':
          update(event.agent, { status: 'restarting', ...exitFields(agent), restarts: agent?.restarts ?? event.attempt });
          return;
        case 'finished':
          update(event.agent, { status: finalStatus(event.outcome), ...exitFields(agent), pid: null, restarts: agent?.restarts ?? 0 });
          return;
        // The exit is written with what follows it (restarting or finished): one write, not two.
        case 'exited':
        case 'waiting-for-locks':
        case 'locked':
        case 'stopping':
        case 'lease-lost':
        case 'run-stopping':
          return;
      }
    },
    async detach(run) {
      await Promise.all(chains.values());
      await run.store.flushBoard().catch(() => undefined);
      context = null;
    },
  };
}
