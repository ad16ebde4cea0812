// Agents' board entries, one file each in agents/, updated inside the critical section.

import { mkdirSync, readdirSync } from 'node:fs';
import { readRegularText } from './regular-file.js';
import type { AgentEntry, AgentStatus } from '../records.js';
import { replaceFile } from './atomic-file.js';
import type { Layout } from './layout.js';

const STATUSES: ReadonlySet<string> = new Set<AgentStatus>(['waiting', 'running', 'restarting', 'exited', 'failed', 'skipped', 'stopped']);

export function blankEntry(): AgentEntry {
  return {
    status: 'running', files: [], pid: null, host: null, started_at: null, heartbeat: null, exit_code: null, signal: null, restarts: 0,
    run_id: null, waiting_for: null, ended_at: null, reason: null,
  };
}

/** Whatever of a stored entry makes sense; null when nothing does. */
function parseEntry(text: string): AgentEntry | null {
  try {
    const value = JSON.parse(text) as Partial<AgentEntry>;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const entry = { ...blankEntry(), ...value };
    if (!STATUSES.has(entry.status)) entry.status = 'running';
    if (!Array.isArray(entry.files)) entry.files = [];
    return entry;
  } catch {
    return null;
  }
}

export function readAgent(layout: Layout, agentId: string): AgentEntry | null {
  const text = readRegularText(layout.agentFile(agentId));
  return text === null ? null : parseEntry(text);
}

export function agentIds(layout: Layout): string[] {
  try {
    return readdirSync(layout.agentsDir)
      .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
      .map((name) => name.slice(0, -'.json'.length));
  } catch {
    return [];
  }
}

export function readAgents(layout: Layout): Record<string, AgentEntry> {
  const agents: Record<string, AgentEntry> = {};
  for (const id of agentIds(layout).sort()) {
    const entry = readAgent(layout, id);
    if (entry) agents[id] = entry;
  }
  return agents;
}

export function writeAgent(layout: Layout, agentId: string, entry: AgentEntry): void {
  mkdirSync(layout.agentsDir, { recursive: true });
  replaceFile(layout.agentFile(agentId), JSON.stringify(entry, null, 2) + '\n', { step: 'agent' });
}
