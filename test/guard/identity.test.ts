// Who the guard acts for: flag, AGENT_ID, the hook's session id, unknown_agent.

import { describe, expect, it } from 'vitest';
import { guardIdentity, sessionAgentId } from '../../src/guard/identity.js';

describe('guard identity', () => {
  it('is the session id itself when it is a valid agent id', () => {
    expect(sessionAgentId('27549832-1a86-4844-9d19-9aab7af496c7')).toBe('27549832-1a86-4844-9d19-9aab7af496c7');
  });

  it('keeps the allowed characters of any other session id, behind session-', () => {
    expect(sessionAgentId('abc def/ghi')).toBe('session-abcdefghi');
    expect(sessionAgentId('_x')).toBe('session-_x');
    expect(sessionAgentId('x'.repeat(80))).toBe(`session-${'x'.repeat(56)}`);
    expect(sessionAgentId('///')).toBeNull();
    expect(sessionAgentId(null)).toBeNull();
  });

  it('prefers --agent, then AGENT_ID, then the session, then unknown_agent', () => {
    expect(guardIdentity('a', { AGENT_ID: 'b' }, 's1')).toEqual({ agentId: 'a', source: 'flag' });
    expect(guardIdentity(undefined, { AGENT_ID: 'b' }, 's1')).toEqual({ agentId: 'b', source: 'env' });
    expect(guardIdentity(undefined, {}, 's1')).toEqual({ agentId: 's1', source: 'session' });
    expect(guardIdentity(undefined, {}, null)).toEqual({ agentId: 'unknown_agent', source: 'default' });
    expect(() => guardIdentity('../x', {}, null)).toThrow(/--agent/);
  });
});
