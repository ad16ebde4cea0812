// Who the guard acts for: flag, AGENT_ID, the client process, the hook's session id, unknown_agent;
// and the client process as found from a real chain of processes.

import { describe, expect, it } from 'vitest';
import { clientAgentId, findClientProcess } from '../../src/core/client-process.js';
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

  it('prefers --agent, then AGENT_ID, then the client process, then the session, then unknown_agent', () => {
    const client = (): string => 'claude-41721-8812345';
    const none = (): null => null;
    expect(guardIdentity('a', { AGENT_ID: 'b' }, 's1', client)).toEqual({ agentId: 'a', source: 'flag' });
    expect(guardIdentity(undefined, { AGENT_ID: 'b' }, 's1', client)).toEqual({ agentId: 'b', source: 'env' });
    expect(guardIdentity(undefined, {}, 's1', client)).toEqual({ agentId: 'claude-41721-8812345', source: 'client' });
    expect(guardIdentity(undefined, {}, 's1', none)).toEqual({ agentId: 's1', source: 'session' });
    expect(guardIdentity(undefined, {}, null, none)).toEqual({ agentId: 'unknown_agent', source: 'default' });
    expect(() => guardIdentity('../x', {}, null)).toThrow(/--agent/);
  });
});

describe('client process', () => {
  it('is the first ancestor that is not a shell, named by name, pid and start time', () => {
    // This test's own process as the parent: a node process, not a shell.
    const me = findClientProcess(process.env, process.pid)!;
    expect(me.pid).toBe(process.pid);
    expect(me.name).toBe('node');
    expect(clientAgentId(me)).toMatch(new RegExp(`^node-${process.pid}-\\d+$`));
    expect(clientAgentId({ pid: 7, start: 9, name: '.codex (x86)' })).toBe('codexx86-7-9');
    expect(clientAgentId({ pid: 7, start: 9, name: '---' })).toBe('client-7-9');
  });
});
