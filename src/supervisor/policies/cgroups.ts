// Each run of an agent's process in a cgroup of its own (cgroup.ts), where Linux lets us make one:
// what it starts cannot leave it, so killing and waiting for the cgroup leaves nothing of the
// agent running when its locks are released. Without one, the agent's descendants are tracked by
// parent pid (descendants.ts, chosen in agent-process.ts).

import { RunCgroups } from '../cgroup.js';
import type { Policy } from '../policy.js';

export function cgroups(): Policy {
  let run: RunCgroups | null = null;
  const attempts = new Map<string, number>();
  return {
    name: 'cgroups',
    attach(context) {
      run = RunCgroups.open(context.settings.runId, context.settings.env);
      context.settings.cgroup = run?.dir ?? null;
      if (!run) context.log.debug('no writable cgroup v2: descendants are tracked by parent pid');
    },
    prepareSpawn(agent, request) {
      if (!run) return request;
      const attempt = (attempts.get(agent.id) ?? 0) + 1;
      attempts.set(agent.id, attempt);
      return { ...request, cgroup: run.forAgent(agent.id, attempt) };
    },
    detach() {
      run?.close();
      run = null;
    },
  };
}
