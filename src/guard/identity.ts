// Who is editing, for the guard: --agent, else AGENT_ID (set by `run` and `exec`), else the hook's
// session id, so that two sessions started by hand are told apart, else `unknown_agent`.

import { DEFAULT_AGENT_ID, isValidAgentId, validateAgentId } from '../core/ids.js';

export type IdentitySource = 'flag' | 'env' | 'session' | 'default';

export interface GuardIdentity {
  agentId: string;
  source: IdentitySource;
}

export function guardIdentity(flag: string | undefined, env: NodeJS.ProcessEnv, sessionId: string | null): GuardIdentity {
  if (flag !== undefined) return { agentId: validateAgentId(flag, '--agent'), source: 'flag' };
  if (env.AGENT_ID) return { agentId: validateAgentId(env.AGENT_ID, 'AGENT_ID'), source: 'env' };
  const fromSession = sessionAgentId(sessionId);
  if (fromSession) return { agentId: fromSession, source: 'session' };
  return { agentId: DEFAULT_AGENT_ID, source: 'default' };
}

/**
 * The session id itself when it is a valid agent id (Claude Code's UUIDs are), so the holder named
 * in a block is the session the client reports; otherwise `session-<the characters an agent id
 * allows>`; null when nothing is left.
 */
export function sessionAgentId(sessionId: string | null): string | null {
  if (sessionId && isValidAgentId(sessionId)) return sessionId;
  const safe = (sessionId ?? '').replace(/[^A-Za-z0-9._-]/g, '').slice(0, 56);
  return safe === '' ? null : `session-${safe}`;
}
