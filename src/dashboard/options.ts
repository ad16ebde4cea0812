// The dashboard's command-line values, kept apart from the server so that `run` can parse
// `--dashboard [N]` without loading the server (only a run that asks for it pays for http).

import { AgentvisorError } from '../core/errors.js';

export const DEFAULT_PORT = 7300;
export const DEFAULT_HOST = '127.0.0.1';

/** A port number 0..65535 (0: a free one); bad input names the option. */
export function parsePort(value: string, option: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw new AgentvisorError('INVALID_ARGUMENT', `${option}: "${value}" is not a port number (0-65535; 0 picks a free one)`, { option, value });
  }
  return Number(value);
}

/** The line that tells people and scripts where the dashboard is: verbatim, on a line of its own. */
export function urlLine(url: string): string {
  return `dashboard: ${url}\n`;
}
