// Crash safety for a SIGKILLed or SIGSTOPped supervisor: start the watchdog holding a pipe from us,
// tell it each agent's process group, and say `bye` at the end. If we die without saying it, the watchdog kills
// every agent tree within a few seconds. Every write ends with `ping S`, one goes out each heartbeat
// and after each renewal: S is the time left until the earliest agent's kill deadline (its last
// successful renewal + lease − one heartbeat), so a supervisor that falls silent (SIGSTOPped) has its
// agents killed before their locks can be reclaimed, even while its renewals were failing. Its death is noticed (its `exit`): a new one is started and
// told every live group; if it keeps dying, the run stops, loudly.
// The resident part is a shell loop, not node: ~1 MB and ~1 ms to start, where a node watchdog took
// ~40 MB and ~40 ms of a core at every run's start (bench/supervisor.bench.mjs). Node (../watchdog.js,
// the killer) starts only when it has work: the loop execs it when the pipe closes without `bye`,
// and runs it (then goes on reading) when the supervisor falls silent.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { processStart } from '../../platform/liveness.js';
import { killDeadline, watchdogSilence } from '../lease-deadline.js';
import type { Policy, RunContext } from '../policy.js';

const KILLER = fileURLToPath(new URL('../watchdog.js', import.meta.url));

/**
 * $1 the marker key, $2 node, $3 the killer, $4 the silence (seconds) after which the supervisor
 * counts as stopped until a ping says otherwise. Lines: `group N`, `ungroup N` (a dead group's
 * number may be reused: forget it), `bye`, and `ping S` ending every write: S seconds from now the
 * earliest kill deadline of an agent passes (counted by the supervisor from its last successful
 * renewal, lease-deadline.ts), so silence until then means the supervisor stopped while its agents'
 * leases ran on. Signals are ignored so that a terminal's cannot end it early.
 * dash has no `read -t`: each write is read by a child shell under coreutils' `timeout` (up to its
 * `ping`), so the loop itself never blocks past the deadline. When it passes, the killer runs (not
 * exec'd: the loop stays, unarmed, until the supervisor resumes or its pipe closes). Without
 * `timeout` on the machine the loop waits unarmed, as before.
 */
const RESIDENT = [
  "trap '' INT TERM HUP",
  'set -f',
  'groups=',
  'can=',
  'command -v timeout >/dev/null 2>&1 && can=1',
  'armed=$can',
  'next=$4',
  // The groups are SIGKILLed by the shell itself first (a builtin, no fork): the node killer takes
  // 60 ms to start when idle and far longer on a loaded machine, more than the heartbeat of margin
  // left before the lease runs out. The killer then sweeps stragglers and waits for the end.
  "killgroups() { for g in $groups; do kill -s KILL -- \"-$g\" 2>/dev/null; done; }",
  "batch='while IFS= read -r l; do printf \"%s\\n\" \"$l\"; case $l in ping*) exit 0 ;; esac; done; exit 1'",
  'nl="',
  '"',
  'while :; do',
  '  if [ -n "$armed" ]; then lines=$(timeout -s KILL "$next" /bin/sh -c "$batch"); else lines=$(/bin/sh -c "$batch"); fi',
  '  status=$?',
  '  IFS=$nl',
  '  for line in $lines; do',
  '    word=${line%% *}; arg=${line#* }',
  '    case $word in',
  '      group) groups="$groups $arg" ;;',
  '      ungroup) kept=; for g in $groups; do [ "$g" = "$arg" ] || kept="$kept $g"; done; groups=$kept ;;',
  '      ping) [ "$arg" = ping ] || next=$arg ;;',
  '      bye) exit 0 ;;',
  '    esac',
  '  done',
  "  IFS=' '",
  '  case $status in',
  '    0) armed=$can ;;',
  '    124|137) killgroups; "$2" "$3" "$1" $groups; armed= ;;',
  '    *) break ;;',
  '  esac',
  'done',
  'killgroups',
  'exec "$2" "$3" "$1" $groups',
].join('\n');

/**
 * The `ping` argument: seconds until the earliest kill deadline of an agent holding a lease (the
 * lease less one heartbeat when none does). Never 0, which `timeout` reads as "no limit".
 */
function silenceSeconds(run: RunContext): string {
  const { settings } = run;
  const deadlines = [...run.agents.values()].filter((a) => a.leaseHeld && !a.isFinished).map((a) => killDeadline(a.lastRenewedAt, settings));
  const ms = watchdogSilence(deadlines, performance.now(), settings.leaseMs - settings.heartbeatMs);
  return Math.max(0.01, ms / 1000).toFixed(3);
}

/** More deaths than this within the window: something keeps killing it; the run stops instead. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

export function watchdog(): Policy {
  let child: ChildProcess | null = null;
  let ending = false;
  const deaths: number[] = [];
  const groups = new Map<string, number>();
  // Lines said within one turn go out in one write: 50 agents starting together wake the watchdog
  // once, not 50 times (on two cores each wake-up takes the CPU from us). The marker sweep covers
  // an agent whose group was not yet told when the supervisor dies.
  // Every write ends with `ping`: the watchdog reads one write at a time and counts the silence
  // between them; a heartbeat with nothing else to say still writes the ping.
  let said: string[] | null = null;
  let current: RunContext | null = null;
  const send = (): void => {
    if (said && child?.stdin?.writable) child.stdin.write(`${said.join('')}ping ${current ? silenceSeconds(current) : 'ping'}\n`);
    said = null;
  };
  const tell = (line?: string): void => {
    if (!said) {
      said = [];
      setImmediate(send);
    }
    if (line !== undefined) said.push(`${line}\n`);
  };
  let pinging: NodeJS.Timeout | undefined;

  const start = (run: RunContext): void => {
    const env: NodeJS.ProcessEnv = {};
    // An outer run's marker must not make its sweep kill our watchdog before it does its job.
    for (const [key, value] of Object.entries(run.settings.env)) if (!key.startsWith('AGENTVISOR_RUN_')) env[key] = value;
    // For the killer, once the supervisor is gone: where to record its agents as stopped.
    env.AGENTVISOR_WATCHDOG_DIR = run.settings.dir;
    env.AGENTVISOR_WATCHDOG_SUPERVISOR = `${run.settings.supervisorPid}:${processStart(run.settings.supervisorPid) ?? ''}`;
    // The killer kills the run's cgroup whole (what left the groups and the marker behind too).
    if (run.settings.cgroup) env.AGENTVISOR_WATCHDOG_CGROUP = run.settings.cgroup;
    else delete env.AGENTVISOR_WATCHDOG_CGROUP;
    // Silent for the lease less one heartbeat: the agents die before their locks can be reclaimed.
    const silence = String((run.settings.leaseMs - run.settings.heartbeatMs) / 1000);
    const started = spawn('/bin/sh', ['-c', RESIDENT, 'agentvisor-watchdog', run.marker('').key, process.execPath, KILLER, silence], {
      detached: true, stdio: ['pipe', 'ignore', 'ignore'], env,
    });
    child = started;
    run.settings.watchdog = started.pid !== undefined ? { pid: started.pid, start: processStart(started.pid) } : null;
    started.on('error', (error) => {
      if (started.pid === undefined) lost(run, started, `could not start (${error.message})`);
    });
    started.on('exit', (code, signal) => lost(run, started, signal ? `was killed by ${signal}` : `exited (code ${code})`));
    started.stdin?.on('error', () => undefined);
    started.unref();
    // A replacement learns every group alive now (and hears a ping even when there is none).
    tell();
    for (const pgid of groups.values()) tell(`group ${pgid}`);
  };

  /** Without a watchdog a killed supervisor would leave its agents running: replace it, or stop. */
  const lost = (run: RunContext, which: ChildProcess, why: string): void => {
    if (ending || which !== child) return;
    child = null;
    run.settings.watchdog = null;
    const now = performance.now();
    deaths.push(now);
    while (deaths[0]! < now - RESTART_WINDOW_MS) deaths.shift();
    if (deaths.length > MAX_RESTARTS) {
      run.log.error(`the watchdog ${why}, ${deaths.length} times within ${RESTART_WINDOW_MS / 1000} s: stopping the run, since its agents would outlive a killed supervisor`);
      run.stop({ kind: 'watchdog-lost', why });
      return;
    }
    if (which.pid !== undefined) run.log.warn(`the watchdog (pid ${which.pid}) ${why}: starting a new one`);
    start(run);
  };

  return {
    name: 'watchdog',
    attach(run) {
      current = run;
      // Running from TypeScript sources (library tests) there is no compiled killer to start.
      if (!existsSync(KILLER)) return void run.log.debug('no compiled watchdog next to the supervisor: crash cleanup is off');
      start(run);
      pinging = setInterval(() => tell(), run.settings.heartbeatMs);
      pinging.unref();
    },
    onSpawn(agent, spawned) {
      if (spawned.pid === undefined) return;
      groups.set(agent.id, spawned.pid);
      tell(`group ${spawned.pid}`);
    },
    notify(event) {
      // A renewal moves the deadline: the watchdog hears of it at once, not at the next heartbeat.
      if (event.type === 'renewed') tell();
    },
    afterExit(agent) {
      const pgid = groups.get(agent.id);
      if (pgid !== undefined) tell(`ungroup ${pgid}`);
      groups.delete(agent.id);
    },
    detach() {
      ending = true;
      clearInterval(pinging);
      send();
      if (child?.stdin?.writable) child.stdin.end('bye\n');
      child = null;
    },
  };
}
