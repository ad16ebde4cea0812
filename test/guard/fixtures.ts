// Recorded hook payloads (test/fixtures/hooks/*.json) with ${ROOT} and ${HOME} filled in.

import { readFileSync } from 'node:fs';

const DIR = new URL('../fixtures/hooks/', import.meta.url);

export function hookPayload(name: string, vars: { root: string; home?: string }): string {
  const text = readFileSync(new URL(`${name}.json`, DIR), 'utf8');
  return text.replaceAll('${ROOT}', vars.root).replaceAll('${HOME}', vars.home ?? '/home/someone');
}
