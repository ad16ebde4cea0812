// builder: reads the plan (a shared lock, so it waits while the planner holds it exclusively),
// reads its inbox for the handoff, and writes what it built under workspace/build/.
import { readFileSync, writeFileSync } from 'node:fs';
import { agentvisor, say } from './agentvisor.mjs';

say('started: plan.md is free to read');
for (const line of agentvisor('inbox').trim().split('\n')) say(`inbox: ${line}`);
const plan = readFileSync(new URL('./workspace/plan.md', import.meta.url), 'utf8');
say(`plan has ${plan.trim().split('\n').length} lines`);
writeFileSync(new URL('./workspace/build/greeting.txt', import.meta.url), 'Hello from the builder.\n');
say('built workspace/build/greeting.txt');
