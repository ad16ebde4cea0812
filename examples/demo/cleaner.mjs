// cleaner: needs the cache (shared), so it waits for the crasher, and starts the moment the
// crasher's lock is freed after its crash.
import { readFileSync } from 'node:fs';
import { say } from './agentvisor.mjs';

const cache = readFileSync(new URL('./workspace/cache.json', import.meta.url), 'utf8');
say(`started: cache.json was freed when crasher died; it holds ${cache.trim()}`);
