// planner: holds workspace/plan.md while it writes the plan, then hands off to the builder.
import { writeFileSync } from 'node:fs';
import { agentvisor, pause, say } from './agentvisor.mjs';

say('writing the plan (I hold examples/demo/workspace/plan.md)');
await pause(1500);
writeFileSync(new URL('./workspace/plan.md', import.meta.url), '# Plan\n\n1. Build the greeting.\n2. Clean the cache.\n');
agentvisor('send', 'builder', 'the plan is in examples/demo/workspace/plan.md: build step 1', '--type', 'handoff');
say('plan written; handoff sent to builder; releasing plan.md by exiting');
