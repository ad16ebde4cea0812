// `agentvisor check`: the seed's check_conflicts: would these paths conflict with other agents'
// locks now? Takes nothing.

import type { ConflictRecord, LockMode, LockRecord } from '../../core/records.js';
import { AGENT_OPTION, LOCK_PATHS_ARGUMENT, flag } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { actingAgent, locate, lockPaths, proceeding, storeExists, withStore } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { code, describeConflict, warn, writeJson, writeLines } from '../output.js';

export const command: CommandSpec = {
  name: 'check',
  summary: "Report conflicts with other agents' locks, without taking anything.",
  usage: 'check P... [--agent ID] [--shared] [--json]',
  details: `This agent's own locks never conflict. With --shared, other shared locks do not conflict either.

Exit codes: 0 no conflict; 3 conflicts (on stderr; conflict records on stdout with --json);
2 malformed id, path or glob.`,
  options: {
    agent: AGENT_OPTION,
    shared: { type: 'boolean', description: 'Check as a shared (read) lock would' },
    json: { type: 'boolean', description: 'Print conflict records as JSON on stdout (`[]` when none)' },
  },
  positionals: [LOCK_PATHS_ARGUMENT],
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const place = locate(ctx);
  const agentId = actingAgent(ctx);
  const paths = lockPaths(ctx, place, ctx.args.positionals);
  const mode: LockMode = flag(ctx.args, 'shared') ? 'shared' : 'exclusive';
  proceeding(ctx);
  let conflicts: ConflictRecord[] = [];
  let locks: LockRecord[] = [];
  if (storeExists(place)) {
    [conflicts, locks] = await withStore(place, async (store) => {
      const found = await store.check(agentId, paths.map((path) => ({ path, mode })));
      return [found, found.length ? await store.listLocks() : []] as const;
    }, { readOnly: true });
  }

  if (flag(ctx.args, 'json')) writeJson(ctx.stdout, conflicts);
  else if (!conflicts.length) writeLines(ctx.stdout, [`no conflicts: ${paths.map(code).join(', ')}`]);
  for (const conflict of conflicts) warn(ctx.stderr, describeConflict(conflict, locks));
  return conflicts.length ? EXIT.conflict : EXIT.ok;
}
