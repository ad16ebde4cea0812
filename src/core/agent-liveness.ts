// Whether a board entry still tells the truth: an agent shown as waiting, running or restarting
// whose supervisor and watchdog are both dead on this host (kill -9 of the supervisor, a reboot)
// is not running any more; on a store shared by hosts, one of another host whose supervisor has
// not refreshed it for longer than its lease, on the store's clock, neither (its supervisor kills
// its agents before its lease runs out when it cannot renew). Every reader shows it `stopped`,
// with when and why; `cleanup` writes it. Pure functions of the entry, the time and facts about
// this machine.

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

/** The lease of entries that do not record one (3 × the default heartbeat). */
export const DEFAULT_ENTRY_LEASE_MS = 15_000;

/**
 * Another host's entry whose supervisor stopped refreshing it: `seenAtMs` (the store's clock) is
 * when it was last written or touched, `nowMs` the store's clock now.
 */
export function silentElsewhere(entry: AgentEntry, facts: MachineFacts, nowMs: number, seenAtMs: number): boolean {
  if (!LIVE.has(entry.status) || entry.supervisor_pid == null || entry.host === facts.host) return false;
  const lease = entry.lease_ms != null && entry.lease_ms > 0 ? entry.lease_ms : DEFAULT_ENTRY_LEASE_MS;
  return nowMs - seenAtMs > lease;
}

/** The entry as it really stands on a shared store: `stopped` (supervisor gone) when another host's supervisor went silent. */
export function settledElsewhere(entry: AgentEntry, facts: MachineFacts, nowMs: number, seenAtMs: number): AgentEntry {
  if (!silentElsewhere(entry, facts, nowMs, seenAtMs)) return entry;
  return { ...entry, status: 'stopped', pid: null, waiting_for: null, ended_at: entry.ended_at ?? new Date(seenAtMs).toISOString(), reason: 'supervisor gone' };
}

export function settledAgents(agents: Record<string, AgentEntry>, facts: MachineFacts, nowIso: string): Record<string, AgentEntry> {
  return Object.fromEntries(Object.entries(agents).map(([id, entry]) => [id, settledEntry(entry, facts, nowIso)]));
}
