// Which agents `status` shows first (the current run's) and which apart (earlier runs'), and what
// each one's NOTE says: what a waiting agent waits for, why an ended one ended.

import type { AgentEntry, AgentStatus, BoardRecord } from '../core/records.js';

const LIVE: ReadonlySet<AgentStatus> = new Set<AgentStatus>(['waiting', 'running', 'restarting']);

export interface AgentGroups {
  current: [string, AgentEntry][];
  earlier: [string, AgentEntry][];
}

function latest(entry: AgentEntry): number {
  const times = [entry.ended_at, entry.heartbeat, entry.started_at].map((t) => (t ? Date.parse(t) : Number.NaN)).filter((t) => !Number.isNaN(t));
  return times.length > 0 ? Math.max(...times) : 0;
}

/**
 * The current runs are those with a live agent; with none live, the run seen last. Agents of no run
 * (the library's updateStatusBoard, a hand-started MCP server) count as current while live, and
 * when no run is known at all.
 */
export function groupAgents(board: BoardRecord): AgentGroups {
  const entries = Object.entries(board.agents).sort(([a], [b]) => a.localeCompare(b));
  const runs = new Set(entries.filter(([, a]) => a.run_id && LIVE.has(a.status)).map(([, a]) => a.run_id!));
  if (runs.size === 0) {
    const last = entries.filter(([, a]) => a.run_id).sort(([, a], [, b]) => latest(b) - latest(a))[0];
    if (last) runs.add(last[1].run_id!);
  }
  const isCurrent = ([, a]: [string, AgentEntry]): boolean => (a.run_id ? runs.has(a.run_id) : LIVE.has(a.status) || runs.size === 0);
  return { current: entries.filter(isCurrent), earlier: entries.filter((e) => !isCurrent(e)) };
}

/** What a waiting agent waits for, or why an ended one ended. */
export function agentNote(entry: AgentEntry, clock: (iso: string) => string): string {
  const waiting = entry.waiting_for;
  if (entry.status === 'waiting' && waiting) {
    return 'lock_path' in waiting ? `waits for ${waiting.lock_path} (held by ${waiting.locked_by})` : `waits for agent ${waiting.agent_id}`;
  }
  if (entry.reason) return `${entry.reason}${entry.ended_at ? `, ended ${clock(entry.ended_at)}` : ''}`;
  return '';
}
