// Whether a board entry still tells the truth: an agent shown as waiting, running or restarting
// whose supervisor and watchdog are both dead on this host (kill -9 of the supervisor, a reboot)
// is not running any more. Every reader shows it `stopped`, with when and why; `cleanup` writes it.
// A pure function of the entry, the time and facts about this machine.

import type { AgentEntry, AgentStatus } from './records.js';
import type { MachineFacts } from './staleness.js';

const LIVE: ReadonlySet<AgentStatus> = new Set<AgentStatus>(['waiting', 'running', 'restarting']);

/** True when nothing can still keep this entry's agent alive (its supervisor and watchdog are dead). */
export function supervisorGone(entry: AgentEntry, facts: MachineFacts): boolean {
  if (!LIVE.has(entry.status) || entry.supervisor_pid == null) return false;
  if (entry.host !== facts.host) return false;
  // Another boot of this host: every process of that boot is gone.
  if (entry.boot_id != null && facts.bootId != null && entry.boot_id !== facts.bootId) return true;
  const dead = (pid: number | null | undefined, start: number | null | undefined): boolean => pid == null || facts.pidState(pid, start) === 'dead';
  return dead(entry.supervisor_pid, entry.supervisor_pid_start) && dead(entry.watchdog_pid, entry.watchdog_pid_start) && dead(entry.pid, null);
}

/** The entry as it really stands: `stopped` (supervisor gone) when its run died under it. */
export function settledEntry(entry: AgentEntry, facts: MachineFacts, nowIso: string): AgentEntry {
  if (!supervisorGone(entry, facts)) return entry;
  return {
    ...entry,
    status: 'stopped',
    pid: null,
    waiting_for: null,
    // The last moment it was known alive (stable whoever reads it and whenever), else now.
    ended_at: entry.ended_at ?? entry.heartbeat ?? entry.started_at ?? nowIso,
    reason: 'supervisor gone',
  };
}

export function settledAgents(agents: Record<string, AgentEntry>, facts: MachineFacts, nowIso: string): Record<string, AgentEntry> {
  return Object.fromEntries(Object.entries(agents).map(([id, entry]) => [id, settledEntry(entry, facts, nowIso)]));
}
