// Messages to `stdin` agents: an InboxFeeder per running agent, woken by the store's inbox watch.
// `inbox` agents read their messages themselves (`agentvisor inbox`) and get /dev/null as stdin.

import { InboxFeeder } from '../inbox-feeder.js';
import type { Policy } from '../policy.js';

const FINISH_BOUND_MS = 1_000;

export function routeMessages(): Policy {
  const feeders = new Map<string, InboxFeeder>();
  return {
    name: 'route-messages',
    onSpawn(agent, child, run) {
      const routing = agent.spec.messages;
      if (routing.to !== 'stdin' || !child.stdin) return;
      const feeder = new InboxFeeder(agent.id, child.stdin, routing.format, run.store, (error) =>
        run.log.warn({ agent: agent.id, err: error }, `delivering messages to ${agent.id} failed: ${(error as Error).message}`),
      );
      feeders.set(agent.id, feeder);
      void feeder.start(agent.spec.prompt).catch((error: unknown) =>
        run.log.warn({ agent: agent.id, err: error }, `watching ${agent.id}'s inbox failed: ${(error as Error).message}`),
      );
    },
    async beforeStop(agent) {
      const feeder = feeders.get(agent.id);
      if (!feeder) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([feeder.finish(), new Promise((resolve) => (timer = setTimeout(resolve, FINISH_BOUND_MS)))]);
      clearTimeout(timer);
    },
    afterExit(agent) {
      feeders.get(agent.id)?.dispose();
      feeders.delete(agent.id);
    },
    detach() {
      for (const feeder of feeders.values()) feeder.dispose();
      feeders.clear();
    },
  };
}
