// `agentvisor dashboard`: the live page for the store of this project, until interrupted. No run is
// attached: messages and forced releases work, stop and restart answer 409 (`run --dashboard` has them).

import { join } from 'node:path';
import { AgentvisorError } from '../../core/errors.js';
import { openStore } from '../../core/open-store.js';
import { emptyBoard } from '../../core/records.js';
import { DEFAULT_HOST, DEFAULT_PORT, parsePort, urlLine } from '../../dashboard/options.js';
import { stringOption } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { locate, storeExists, storeOptions, untilAborted } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { code, warn } from '../output.js';

export const command: CommandSpec = {
  name: 'dashboard',
  summary: 'Serve a live web page of agents, locks, waiters, conflicts, messages and lock history.',
  usage: 'dashboard [--port N] [--host H]',
  details: `Prints \`dashboard: http://127.0.0.1:N/?token=TOKEN\` on stderr and serves until Ctrl-C. The page
updates itself within a second of any change and reconnects when the server restarts.
Actions (send a message, force-release a lock) need the token, which is new at every start.
Stop and restart of agents need a run: use \`agentvisor run --dashboard\`.
--port 0 picks a free port. --host serves on another address (then every request needs the token).

Exit codes: 0 after Ctrl-C; 1 the port is in use; 2 a malformed port.`,
  options: {
    port: { type: 'string', valueName: 'N', description: `Port (default ${DEFAULT_PORT}; 0 picks a free one)` },
    host: { type: 'string', valueName: 'H', description: `Address to listen on (default ${DEFAULT_HOST}: this machine only)` },
  },
  run,
};


async function run(ctx: CommandContext): Promise<number> {
  const place = locate(ctx);
  const portValue = stringOption(ctx.args, 'port');
  const port = portValue === undefined ? DEFAULT_PORT : parsePort(portValue, '--port');
  const host = stringOption(ctx.args, 'host');
  if (host === '') throw new AgentvisorError('INVALID_ARGUMENT', '--host needs an address', { option: '--host' });
  const store = await openStore(storeOptions(place));
  try {
    const { startDashboard } = await import('../../dashboard/server.js');
    const dashboard = await startDashboard({
      store,
      // A missing coordination dir is shown empty and is not created (as `status` does).
      readBoard: () => (storeExists(place) ? store.board() : Promise.resolve(emptyBoard())),
      logsDir: join(place.dir, 'logs'),
      port,
      host: host || undefined,
      onError: (error) => warn(ctx.stderr, `dashboard: ${(error as Error).message}`),
    });
    if (host && host !== DEFAULT_HOST) {
      warn(ctx.stderr, `the dashboard listens on ${code(host)}, not only on this machine: anyone who can reach it and has the token can act on your agents`);
    }
    ctx.stderr.write(urlLine(dashboard.url));
    await untilAborted(ctx.signal);
    await dashboard.close();
  } finally {
    await store.close();
  }
  return EXIT.ok;
}
