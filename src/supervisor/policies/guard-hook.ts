// The one place where agentvisor is wired into an agent's command (the guard hook, the MCP server,
// the message hook: see src/guard/wiring/): each spawn is shaped by the injector the CLI gives; what
// the wiring made for an agent (a private CODEX_HOME) is removed when the agent has ended for good,
// or at the end of the run, whichever comes first.

import type { AgentSpec } from '../../config/types.js';
import type { Policy } from '../policy.js';
import type { SpawnRequest } from '../spawn.js';

export interface InjectedSpawn {
  request: SpawnRequest;
  /** Undo what the injection made for this spawn. */
  dispose?: () => void;
}

/** Rewrites a spawn request to carry agentvisor's hooks and MCP server (or leaves it unchanged). */
export type GuardInjector = (request: SpawnRequest, agent: AgentSpec) => SpawnRequest | InjectedSpawn;

export function guardHook(inject: GuardInjector | null = null): Policy {
  const made = new Map<string, () => void>();
  const dispose = (agentId: string): void => {
    made.get(agentId)?.();
    made.delete(agentId);
  };
  return {
    name: 'guard-hook',
    prepareSpawn(agent, request) {
      if (!inject) return request;
      // A restart: the previous spawn's private files go, the new spawn gets fresh ones.
      dispose(agent.id);
      const injected = inject(request, agent.spec);
      if ('request' in injected) {
        if (injected.dispose) made.set(agent.id, injected.dispose);
        return injected.request;
      }
      return injected;
    },
    release(agent) {
      dispose(agent.id);
      return Promise.resolve();
    },
    detach() {
      for (const id of [...made.keys()]) dispose(id);
    },
  };
}
