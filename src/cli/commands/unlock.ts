// `agentvisor unlock`: release this agent's locks by the lock paths they were taken with;
// `--force` releases someone else's (recorded as `forced`; the holder is told in its inbox).

import { tellForcedRelease } from '../../core/notices.js';
import { AGENT_OPTION, flag } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { actingAgent, locate, lockPaths, proceeding, storeExists, withStore } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { code, warn, writeLines } from '../output.js';

export const command: CommandSpec = {
  name: 'unlock',
  summary: "Release this agent's locks (--force: someone else's).",
  usage: 'unlock P... [--agent ID] [--force]',
  details: `Name each lock by the path it was taken with (normalised the same way as \`lock\`). A folder
locked as \`src/api\` is held as \`src/api/**\`: \`unlock src/api/\` names it even once the folder is gone.

Exit codes: 0 released; 1 some path was not held by this agent (never taken, already released,
or reclaimed as stale; the others are still released); 2 malformed id, path or glob.`,
  options: {
    agent: AGENT_OPTION,
    force: { type: 'boolean', description: "Release the path whoever holds it (recorded as 'forced' in history)" },
  },
  positionals: [{ name: 'P...', description: 'Lock paths, as they were locked', required: true, variadic: true }],
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const place = locate(ctx);
  const agentId = actingAgent(ctx);
  const paths = lockPaths(ctx, place, ctx.args.positionals);
  const force = flag(ctx.args, 'force');
  proceeding(ctx);
  // Nothing was ever locked where there is no coordination dir: say so without creating one.
  const result = storeExists(place)
    ? await withStore(place, async (store) => {
        const outcome = await store.release(agentId, paths, { force });
        // The holder hears of it mid-task (its message hook, its MCP inbox).
        if (force) await tellForcedRelease(store, outcome.released, agentId);
        return outcome;
      })
    : { released: [], notHeld: paths };

  writeLines(
    ctx.stdout,
    result.released.map((l) => `released ${code(l.file_path)}${l.agent_id === agentId ? '' : ` (held by ${l.agent_id}, forced)`}`),
  );
  if (result.notHeld.length === 0) return EXIT.ok;
  const hint = force ? 'no such lock' : 'never taken, already released or reclaimed; --force releases another agent\'s lock';
  warn(ctx.stderr, `not held by ${force ? 'anyone' : agentId}: ${result.notHeld.map(code).join(', ')} (${hint})`);
  return EXIT.failure;
}
