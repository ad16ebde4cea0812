// flaky: fails on its first attempt and succeeds when restarted (restart: on-failure). It remembers
// the first attempt in a temp file named after this run's supervisor, so every demo run starts fresh.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pause, say } from './agentvisor.mjs';

const memory = join(tmpdir(), `agentvisor-demo-flaky-${process.env.AGENTVISOR_SUPERVISOR ?? 'none'}`);
await pause(300);
if (!existsSync(memory)) {
  writeFileSync(memory, 'failed once\n');
  say('lost my network connection: exit 1 (the supervisor restarts me, my lock stays held)');
  process.exit(1);
}
rmSync(memory, { force: true });
writeFileSync(new URL('./workspace/report.txt', import.meta.url), 'All steps done.\n');
say('second attempt: wrote workspace/report.txt');
