// Who is editing, for the guard: --agent, else AGENT_ID (set by `run` and `exec`), else the hook's
// session id, so that two sessions started by hand are told apart, else `unknown_agent`.

import { DEFAULT_AGENT_ID, validateAgentId } from '../core/ids.js';

export type IdentitySource = 'flag' | 'env' | 'session' | 'default';

export interface GuardIdentity {
  agentId: string;
  source: IdentitySource;
}

const SESSION_CHARS = 12;

export function guardIdentity(flag: string | undefined, env: NodeJS.ProcessEnv, sessionId: string | null): GuardIdentity {
  if (flag !== undefined) return { agentId: validateAgentId(flag, '--agent'), source: 'flag' };
  if (env.AGENT_ID) return { agentId: validateAgentId(env.AGENT_ID, 'AGENT_ID'), source: 'env' };
  const fromSession = sessionAgentId(sessionId);
  if (fromSession) return { agentId: fromSession, source: 'session' };
  return { agentId: DEFAULT_AGENT_ID, source: 'default' };
}

/** `session-<first 12 characters of the session id that an agent id allows>`, or null. */
export function sessionAgentId(sessionId: string | null): string | null {
  const safe = (sessionId ?? '').replace(/[^A-Za-z0-9._-]/g, '').slice(0, SESSION_CHARS);
  return safe === '' ? null : `session-${safe}`;
}
