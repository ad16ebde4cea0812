// Without a cgroup: an agent's descendants found by parent pid while it runs, so that one which
// leaves the process group and clears its environment (`env -i setsid cmd &`) is still killed with
// it. A poll of the process table every POLL_MS notes each process whose parent is the agent or a
// descendant already noted (with its start time, so a reused pid is never killed). What can still
// escape: a process whose parent exits before any poll sees it (a double fork faster than
// POLL_MS), since it is then reparented to init. README says so.

import { processTable, type ProcStat } from './kill-tree.js';

const POLL_MS = 100;

export interface TreeMembers {
  /** Running processes of the tree that the process group and the marker may miss. */
  pids(): number[];
  signal(signal: NodeJS.Signals): void;
  /** Stop watching (after the tree is gone). */
  close(): void;
}

export function trackDescendants(rootPid: number): TreeMembers {
  const known = new Map<number, number | null>();
  const poll = (): void => {
    const table = processTable();
    const byParent = new Map<number, ProcStat[]>();
    for (const stat of table) {
      const siblings = byParent.get(stat.ppid);
      if (siblings) siblings.push(stat);
      else byParent.set(stat.ppid, [stat]);
    }
    const stack = [rootPid, ...known.keys()];
    while (stack.length > 0) {
      for (const child of byParent.get(stack.pop()!) ?? []) {
        if (known.get(child.pid) === child.startTime) continue;
        known.set(child.pid, child.startTime);
        stack.push(child.pid);
      }
    }
  };
  poll();
  const timer = setInterval(poll, POLL_MS);
  timer.unref();
  const alive = (): number[] => {
    const now = new Map(processTable().map((s) => [s.pid, s]));
    return [...known].filter(([pid, start]) => {
      const stat = now.get(pid);
      return stat !== undefined && stat.startTime === start && stat.state !== 'Z' && stat.state !== 'X';
    }).map(([pid]) => pid);
  };
  return {
    pids: alive,
    signal(signal) {
      for (const pid of alive()) {
        try {
          process.kill(pid, signal);
        } catch {
          // gone meanwhile
        }
      }
    },
    close: () => clearInterval(timer),
  };
}
