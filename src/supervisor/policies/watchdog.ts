// Crash safety for a SIGKILLed supervisor: start the watchdog holding a pipe from us, tell it each
// agent's process group, and say `bye` at the end. If we die without saying it, the watchdog kills
// every agent tree within a few seconds.
// The resident part is a shell loop, not node: ~1 MB and ~1 ms to start, where a node watchdog took
// ~40 MB and ~40 ms of a core at every run's start (bench/supervisor.bench.mjs). Node (../watchdog.js,
// the killer) starts only when it has work: the loop execs it when the pipe closes without `bye`.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { procStat } from '../kill-tree.js';
import type { Policy } from '../policy.js';

const KILLER = fileURLToPath(new URL('../watchdog.js', import.meta.url));

/**
 * $1 the marker key, $2 node, $3 the killer. Lines: `group N`, `ungroup N` (a dead group's number
 * may be reused: forget it), `bye`. Signals are ignored so that a terminal's cannot end it early.
 */
const RESIDENT = [
  "trap '' INT TERM HUP",
  'groups=',
  'while read -r word arg; do',
  '  case $word in',
  '    group) groups="$groups $arg" ;;',
  '    ungroup) kept=; for g in $groups; do [ "$g" = "$arg" ] || kept="$kept $g"; done; groups=$kept ;;',
  '    bye) exit 0 ;;',
  '  esac',
  'done',
  'exec "$2" "$3" "$1" $groups',
].join('\n');

export function watchdog(): Policy {
  let child: ChildProcess | null = null;
  const groups = new Map<string, number>();
  // Lines said within one turn go out in one write: 50 agents starting together wake the watchdog
  // once, not 50 times (on two cores each wake-up takes the CPU from us). The marker sweep covers
  // an agent whose group was not yet told when the supervisor dies.
  let said: string[] = [];
  const send = (): void => {
    if (said.length > 0 && child?.stdin?.writable) child.stdin.write(said.join(''));
    said = [];
  };
  const tell = (line: string): void => {
    if (said.length === 0) setImmediate(send);
    said.push(`${line}\n`);
  };
  return {
    name: 'watchdog',
    attach(run) {
      // Running from TypeScript sources (library tests) there is no compiled killer to start.
      if (!existsSync(KILLER)) return void run.log.debug('no compiled watchdog next to the supervisor: crash cleanup is off');
      const env: NodeJS.ProcessEnv = {};
      // An outer run's marker must not make its sweep kill our watchdog before it does its job.
      for (const [key, value] of Object.entries(run.settings.env)) if (!key.startsWith('AGENTVISOR_RUN_')) env[key] = value;
      child = spawn('/bin/sh', ['-c', RESIDENT, 'agentvisor-watchdog', run.marker('').key, process.execPath, KILLER], {
        detached: true, stdio: ['pipe', 'ignore', 'ignore'], env,
      });
      if (child.pid !== undefined) run.settings.watchdog = { pid: child.pid, start: procStat(child.pid)?.startTime ?? null };
      child.on('error', (error) => run.log.warn(`the watchdog could not start (${error.message}): agents would outlive a killed supervisor`));
      child.stdin?.on('error', () => undefined);
      child.unref();
    },
    onSpawn(agent, spawned) {
      if (spawned.pid === undefined) return;
      groups.set(agent.id, spawned.pid);
      tell(`group ${spawned.pid}`);
    },
    afterExit(agent) {
      const pgid = groups.get(agent.id);
      if (pgid !== undefined) tell(`ungroup ${pgid}`);
      groups.delete(agent.id);
    },
    detach() {
      send();
      if (child?.stdin?.writable) child.stdin.end('bye\n');
      child = null;
    },
  };
}
