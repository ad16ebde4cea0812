// Who keeps a lock alive (contract, "Staleness"): inside an agent launched by the supervisor, the
// supervisor (it renews and releases); a library call from any other process, that process; the
// `lock` command outside a supervisor, nobody (pid null: the 1-hour rule, or --ttl).

import { isValidAgentId } from './ids.js';
import type { LockOwner, ProcessIdentity } from './store.js';

export const DEFAULT_HEARTBEAT_MS = 5000;
/** The lease is three heartbeat intervals: one late heartbeat does not lose the lock. */
export const LEASE_HEARTBEATS = 3;

export type CallerKind = 'library' | 'cli';

function positiveInt(raw: string | undefined): number | null {
  if (raw === undefined || !/^\d+$/.test(raw)) return null;
  const value = Number(raw);
  return value > 0 && Number.isSafeInteger(value) ? value : null;
}

/** `AGENTVISOR_WATCHDOG=<pid>:<start>`: the supervisor's watchdog, which outlives it until the agents are dead. */
function watchdogFromEnvironment(raw: string | undefined): ProcessIdentity | null {
  const [pidText, startText] = (raw ?? '').split(':');
  const pid = positiveInt(pidText);
  if (pid === null) return null;
  return { pid, start: startText !== undefined && /^\d+$/.test(startText) ? Number(startText) : null };
}

export function ownerFromEnvironment(env: NodeJS.ProcessEnv, kind: CallerKind, pid: number = process.pid): LockOwner {
  const supervisor = positiveInt(env.AGENTVISOR_SUPERVISOR);
  if (supervisor !== null) {
    const heartbeat = positiveInt(env.AGENTVISOR_HEARTBEAT_MS) ?? DEFAULT_HEARTBEAT_MS;
    const watchdog = watchdogFromEnvironment(env.AGENTVISOR_WATCHDOG);
    // Whatever id the lock is taken under, it lives and ends with the agent we run inside.
    const keptFor = isValidAgentId(env.AGENT_ID) ? env.AGENT_ID : null;
    return { pid: supervisor, leaseMs: LEASE_HEARTBEATS * heartbeat, ...(watchdog ? { watchdog } : {}), ...(keptFor ? { keptFor } : {}) };
  }
  if (kind === 'library') return { pid, leaseMs: null };
  return { pid: null, leaseMs: null };
}
