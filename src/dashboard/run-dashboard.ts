// `run --dashboard [N]`: the dashboard for the length of a run, attached to it (stop and restart
// work on its agents), started before any agent so that a busy port stops the run before it begins.

import { join } from 'node:path';
import type { Store } from '../core/store.js';
import type { Logger } from '../log.js';
import type { SupervisorOptions } from '../supervisor/supervisor.js';
import { urlLine } from './options.js';
import { startDashboard } from './server.js';

export interface RunDashboard {
  extra: Partial<SupervisorOptions>;
  close(): Promise<void>;
}

export async function startRunDashboard(input: { store: Store; dir: string; port: number; log: Logger; stderr: NodeJS.WritableStream }): Promise<RunDashboard> {
  const dashboard = await startDashboard({
    store: input.store,
    logsDir: join(input.dir, 'logs'),
    port: input.port,
    onError: (error) => input.log.warn({ err: error }, `dashboard: ${(error as Error).message}`),
  });
  input.stderr.write(urlLine(dashboard.url));
  return {
    extra: { control: (control) => dashboard.attach(control) },
    close: () => dashboard.close(),
  };
}
