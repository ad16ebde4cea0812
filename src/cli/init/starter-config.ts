// init's writer of the starter agents.config.json: three small agents that run on any machine
// (shell commands and an argv array): one owning a folder, one reading it after the first ends
// (dependsOn), and one owning a file inside that folder, which waits for the first (config order).

import { existsSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { InitPlan, InitWriter } from './writer.js';

export const SCHEMA_REF = './node_modules/agentvisor/agents.config.schema.json';

export const STARTER_CONFIG = {
  $schema: SCHEMA_REF,
  heartbeatMs: 5000,
  onConflict: 'wait',
  lockTimeoutMs: 600000,
  shutdownGraceMs: 10000,
  agents: [
    {
      id: 'writer',
      command: 'echo "$AGENT_ID holds notes/** while it runs"',
      owns: ['notes/**'],
    },
    {
      id: 'reader',
      command: ['node', '-e', "console.log(process.env.AGENT_ID + ' starts once writer has exited 0')"],
      reads: ['notes/**'],
      dependsOn: ['writer'],
    },
    {
      id: 'editor',
      command: 'echo "$AGENT_ID owns notes/todo.md, inside writer\'s notes/**: it ran after writer let go"',
      owns: ['notes/todo.md'],
    },
  ],
};

export function starterConfigText(): string {
  return `${JSON.stringify(STARTER_CONFIG, null, 2)}\n`;
}

export const starterConfig: InitWriter = {
  name: 'config',
  plan({ configFile, cwd, force }): InitPlan {
    const shown = relative(cwd, configFile) || configFile;
    const exists = existsSync(configFile);
    if (exists && !force) return { kind: 'refuse', file: configFile, reason: `${shown} already exists; pass --force to overwrite it` };
    return {
      kind: 'write',
      file: configFile,
      done: `${exists ? 'overwrote' : 'wrote'} ${shown}`,
      apply: () => writeFileSync(configFile, starterConfigText(), { flag: force ? 'w' : 'wx' }),
    };
  },
};
