// `agentvisor validate [--config F]`: load agents.config.json as `run` would and report, without
// starting anything or touching the coordination dir.

import { findConfigFile, noConfigMessage } from '../../config/find.js';
import { loadConfig } from '../../config/load.js';
import { overlapNotice } from '../../config/owns-overlaps.js';
import { displayFile, formatProblem } from '../../config/problems.js';
import { stringOption } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { warn, writeLines } from '../output.js';

export const command: CommandSpec = {
  name: 'validate',
  summary: 'Check agents.config.json without running it.',
  usage: 'validate [--config F]',
  details: `Checks the schema (unknown keys, types, ids, durations), lock paths against the root, and the
rules across agents: duplicate ids, dependsOn naming unknown agents or forming a cycle. Two agents
whose owns overlap without one depending on the other run one after the other in config order (the
later one waits for the earlier one's locks): each such pair is named in one line after the
summary; with "onConflict": "fail" such a pair is an error.

Exit codes: 0 valid (a one-line summary on stdout, then one line per overlapping pair); 2 invalid
(every problem on stderr, one per line, as FILE: JSON.PATH: what is wrong).`,
  options: {
    config: { type: 'string', valueName: 'F', description: 'The config file (default: the nearest agents.config.json upward)' },
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const file = findConfigFile({ cwd: ctx.cwd, env: ctx.env, config: stringOption(ctx.args, 'config') });
  if (file === null) {
    warn(ctx.stderr, noConfigMessage(ctx.cwd));
    return EXIT.badInput;
  }
  const { config, problems, overlaps = [] } = loadConfig(file, { env: ctx.env, cwd: ctx.cwd });
  if (!config) {
    writeLines(ctx.stderr, problems.map((p) => formatProblem(p, ctx.cwd)));
    return EXIT.badInput;
  }
  const ids = config.agents.map((a) => a.id);
  const count = ids.length === 1 ? '1 agent' : `${ids.length} agents`;
  writeLines(ctx.stdout, [
    `${displayFile(config.file, ctx.cwd)}: valid, ${count}: ${ids.join(', ')}`,
    ...overlaps.map((o) => formatProblem(overlapNotice(config.file, o), ctx.cwd)),
  ]);
  return EXIT.ok;
}
