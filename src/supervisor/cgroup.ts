// One cgroup (v2) per agent run, on Linux where the supervisor may create one (as root, or in a
// delegated subtree): everything the agent starts stays in it, even what leaves its process group
// and clears its environment (`env -i setsid cmd &`, a daemon). Killing it is one write to
// `cgroup.kill`; it is empty when `cgroup.procs` lists nobody. Where no cgroup can be had, every
// function here answers "none" and the supervisor tracks descendants by parent pid instead
// (descendants.ts). Kept apart from kill-tree.ts so the portable layer can replace that freely.
//
// Layout: <our own cgroup>/agentvisor-<run id>/<agent id>-<attempt>. The agent joins its cgroup
// before its command runs: it is spawned as `/bin/sh -c 'echo $$ > <cgroup>/cgroup.procs; exec
// "$@"'`, so nothing it forks is ever outside.

import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPortable } from '../platform/system.js';
import type { TreeMembers } from './descendants.js';

/** Where cgroup v2 is mounted (from /proc/self/mountinfo), or null. */
function cgroup2Mount(): string | null {
  try {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const [left, right] = line.split(' - ');
      if (right?.split(' ')[0] === 'cgroup2') return left?.split(' ')[4] ?? null;
    }
  } catch {
    // not Linux
  }
  return null;
}

/** Our own cgroup v2 path (`0::/path` in /proc/self/cgroup), or null. */
function ownCgroup(): string | null {
  try {
    const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'));
    return line ? line.slice(3) : null;
  } catch {
    return null;
  }
}

/** The folder of our own cgroup, when cgroup v2 is there and we may make cgroups under it. */
function ownCgroupDir(env: NodeJS.ProcessEnv): string | null {
  if (env.AGENTVISOR_CGROUP === '0' || isPortable(env)) return null;
  const mount = cgroup2Mount();
  const own = ownCgroup();
  if (mount === null || own === null) return null;
  const dir = join(mount, own);
  return existsSync(join(dir, 'cgroup.procs')) ? dir : null;
}

/** The cgroups of one run: made at its start, removed at its end. */
export class RunCgroups {
  private constructor(readonly dir: string) {}

  /**
   * Make the run's cgroup, or null where none can be had (no cgroup v2, not writable, no
   * `cgroup.kill` before Linux 5.14, AGENTVISOR_CGROUP=0, AGENTVISOR_PORTABLE=1).
   */
  static open(runId: string, env: NodeJS.ProcessEnv = process.env): RunCgroups | null {
    const parent = ownCgroupDir(env);
    if (parent === null) return null;
    const dir = join(parent, `agentvisor-${runId}`);
    try {
      mkdirSync(dir);
    } catch {
      return null;
    }
    if (!existsSync(join(dir, 'cgroup.kill'))) {
      removeQuietly(dir);
      return null;
    }
    return new RunCgroups(dir);
  }

  /** A fresh cgroup for one run of an agent's process, or null when it cannot be made. */
  forAgent(agentId: string, attempt: number): string | null {
    const dir = join(this.dir, `${agentId}-${attempt}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch {
      return null;
    }
  }

  /** Remove the run's cgroup (its agents' are gone by then; any left is killed first). */
  close(): void {
    RunCgroups.remove(this.dir);
  }

  /** Remove a run's cgroup by its folder (the watchdog's killer, after the supervisor died). */
  static remove(dir: string): void {
    for (const name of childNames(dir)) {
      killCgroup(join(dir, name));
      removeQuietly(join(dir, name));
    }
    removeQuietly(dir);
  }
}

function childNames(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

function removeQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // busy (not empty yet) or gone
  }
}

/** The processes in a cgroup and the cgroups under it (zombies have left it already). */
export function cgroupPids(dir: string | null): number[] {
  if (dir === null) return [];
  const pids: number[] = [];
  try {
    for (const line of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (line) pids.push(Number(line));
  } catch {
    return pids;
  }
  for (const name of childNames(dir)) pids.push(...cgroupPids(join(dir, name)));
  return pids;
}

/** SIGKILL everything in the cgroup and under it, at once (the kernel does it). */
export function killCgroup(dir: string | null): void {
  if (dir === null) return;
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
  } catch {
    // gone, or not a cgroup any more
  }
}

/** Send `signal` to every process in the cgroup (SIGTERM, SIGSTOP, SIGCONT: cgroup.kill only kills). */
export function signalCgroup(dir: string | null, signal: NodeJS.Signals): void {
  for (const pid of cgroupPids(dir)) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone meanwhile
    }
  }
}

/** Remove an agent's cgroup once it is empty (best effort: a busy one goes with the run's). */
export function removeCgroup(dir: string | null): void {
  if (dir !== null) removeQuietly(dir);
}

/** The cgroup as the extra members of an agent's tree (kill-tree.ts): everything in it, whatever its group or environment. */
export function cgroupMembers(dir: string): TreeMembers {
  return {
    pids: () => cgroupPids(dir),
    signal(signal) {
      if (signal === 'SIGKILL') killCgroup(dir);
      else signalCgroup(dir, signal);
    },
    close: () => removeCgroup(dir),
  };
}

/** `/bin/sh -c` that moves itself into the cgroup, then runs the agent's command in its place. */
export function enterCgroupArgv(dir: string, file: string, args: readonly string[]): string[] {
  return ['/bin/sh', '-c', 'echo $$ > "$1/cgroup.procs" 2>/dev/null; shift; exec "$@"', 'agentvisor-cgroup', dir, file, ...args];
}

let probed: boolean | undefined;

/** Whether this process could give agents cgroups (a probe: makes and removes one). */
export function cgroupUsable(env: NodeJS.ProcessEnv = process.env): boolean {
  if (probed === undefined) {
    const run = RunCgroups.open(`probe-${process.pid}`, env);
    probed = run !== null;
    run?.close();
  }
  return probed;
}
