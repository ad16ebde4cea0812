// The private folders of a run's clients (a CODEX_HOME, a GEMINI_CLI_HOME), outside the
// repository and the user's home: `<tmp>/agentvisor-<kind>-<agent>-<owner pid>-<owner start>-<random>`,
// mode 0700, removed when the agent has ended for good, and by `cleanup` once their owner is dead
// (a killed run). Removal never follows a link: the user's auth.json and sessions stay.

import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidState, processStart } from '../../core/liveness.js';

const PREFIX = 'agentvisor-';
const NAME = /^agentvisor-(codex|gemini)-[A-Za-z0-9._-]+-(\d+)-(\d*)-[A-Za-z0-9]{6}$/;

/** A new private folder for one agent's client, owned by this process (its real path). */
export function makePrivateDir(kind: 'codex' | 'gemini', agentId: string, parent: string = tmpdir()): string {
  const start = processStart(process.pid) ?? '';
  const dir = mkdtempSync(join(parent, `${PREFIX}${kind}-${agentId}-${process.pid}-${start}-`));
  return realpathSync(dir);
}

export function removePrivateDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Remove the private folders whose owner process is gone; returns them. */
export function removeOrphanedPrivateDirs(parent: string = tmpdir()): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[2]);
    const start = match[3] ? Number(match[3]) : null;
    if (pidState(pid, start) !== 'dead') continue;
    removePrivateDir(join(parent, name));
    removed.push(join(parent, name));
  }
  return removed;
}
