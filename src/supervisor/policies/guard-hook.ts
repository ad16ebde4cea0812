// The one place where the guard hook (issue 4) is injected into an agent's command: for a `claude`
// command (unless the agent says `"guard": false`) it will add `--settings` with a PreToolUse hook
// running `agentvisor guard`. Until the guard lands, commands pass through unchanged.

import type { Policy } from '../policy.js';
import type { SpawnRequest } from '../spawn.js';

/** Rewrites a spawn request to carry the guard hook; replaced by issue 4's implementation. */
export type GuardInjector = (request: SpawnRequest, agentId: string) => SpawnRequest;

export function guardHook(inject: GuardInjector | null = null): Policy {
  return {
    name: 'guard-hook',
    prepareSpawn(agent, request) {
      if (!inject || !agent.spec.guard) return request;
      return inject(request, agent.id);
    },
  };
}
