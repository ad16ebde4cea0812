// crasher: takes the cache, writes half of it, and dies by SIGKILL while holding its lock
// (allowFailure in the config: the run still succeeds). The supervisor frees the lock at once.
import { writeFileSync } from 'node:fs';
import { pause, say } from './agentvisor.mjs';

say('rebuilding the cache (I hold examples/demo/workspace/cache.json)');
await pause(800);
writeFileSync(new URL('./workspace/cache.json', import.meta.url), '{"entries": []}\n');
say('about to crash while holding cache.json');
process.kill(process.pid, 'SIGKILL');
