// Who is editing, for the guard: --agent, else AGENT_ID (set by `run` and `exec`), else the agent
// client it runs under (its name, pid and start time: the id the client's MCP server uses too, so
// the agent's own MCP locks never block its edits), else the hook's session id, else `unknown_agent`.

import { clientAgentId, findClientProcess } from '../core/client-process.js';
import { DEFAULT_AGENT_ID, isValidAgentId, validateAgentId } from '../core/ids.js';

export type IdentitySource = 'flag' | 'env' | 'client' | 'session' | 'default';

export interface GuardIdentity {
  agentId: string;
  source: IdentitySource;
}

/** `client`: how to find the client process (the real lookup by default; tests pass their own). */
export function guardIdentity(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  sessionId: string | null,
  client: () => string | null = () => clientIdFromEnvironment(env),
): GuardIdentity {
  if (flag !== undefined) return { agentId: validateAgentId(flag, '--agent'), source: 'flag' };
  if (env.AGENT_ID) return { agentId: validateAgentId(env.AGENT_ID, 'AGENT_ID'), source: 'env' };
  const fromClient = client();
  if (fromClient) return { agentId: fromClient, source: 'client' };
  const fromSession = sessionAgentId(sessionId);
  if (fromSession) return { agentId: fromSession, source: 'session' };
  return { agentId: DEFAULT_AGENT_ID, source: 'default' };
}

/** The agent id of the client process this one runs under, or null when none is found. */
export function clientIdFromEnvironment(env: NodeJS.ProcessEnv): string | null {
  const client = findClientProcess(env);
  return client ? clientAgentId(client) : null;
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
