// After an agent's last exit (its process tree already dead), give back every lock kept alive for
// it: those taken before its start and those it took itself. Only locks carrying our pid go, so a
// lock someone else took meanwhile is never touched. Between restarts nothing is released.

import type { Policy } from '../policy.js';

export function releaseLocksOnExit(): Policy {
  return {
    name: 'release-locks-on-exit',
    async release(agent, run) {
      // An agent that never started holds nothing; one that did may hold locks it took itself,
      // even after a lost lease (records with our pid and its id are ours alone).
      if (!agent.leaseHeld && agent.locks.length === 0 && agent.firstStartedAt === null) return;
      agent.leaseHeld = false;
      agent.locks = [];
      const released = await run.store.releaseAll(agent.id, { pid: run.settings.supervisorPid });
      if (released.length > 0) {
        run.log.debug({ agent: agent.id, paths: released.map((l) => l.file_path) }, `released ${released.map((l) => l.file_path).join(', ')}`);
      }
    },
  };
}
