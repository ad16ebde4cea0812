// `--kill-others-on-fail`: when an agent fails (and does not allow failure), stop every other one.

import { isFailure } from '../events.js';
import type { Policy } from '../policy.js';

export function killOthersOnFail(): Policy {
  return {
    name: 'kill-others-on-fail',
    notify(event, run) {
      if (!run.settings.killOthersOnFail || event.type !== 'finished') return;
      const agent = run.agents.get(event.agent);
      if (!agent || agent.spec.allowFailure || !isFailure(event.outcome) || event.outcome.kind === 'skipped') return;
      run.stop({ kind: 'kill-others', agent: event.agent });
    },
  };
}
