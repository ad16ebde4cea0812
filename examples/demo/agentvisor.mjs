// How the demo agents call agentvisor: the same CLI a real agent would run (`agentvisor send`,
// `agentvisor inbox`), here the copy built in this checkout. AGENT_ID, AGENTVISOR_DIR and
// AGENTVISOR_ROOT come from the supervisor, so no flags are needed.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

export function agentvisor(...args) {
  return execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

export function say(text) {
  process.stdout.write(`${text}\n`);
}

export const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
