// Board entries of another host on a shared store: judged by when their supervisor last touched
// them (the store's clock) against the lease they record; this host's entries keep the pid rule.

import { describe, expect, it } from 'vitest';
import { DEFAULT_ENTRY_LEASE_MS, settledElsewhere, silentElsewhere } from '../../src/core/agent-liveness.js';
import type { AgentEntry } from '../../src/core/records.js';
import type { MachineFacts } from '../../src/core/staleness.js';

const facts: MachineFacts = { host: 'host-b', bootId: 'boot-b', pidState: () => 'alive' };
const entry = (patch: Partial<AgentEntry> = {}): AgentEntry => ({
  status: 'running', files: [], pid: 4242, host: 'host-a', started_at: '2026-01-01T00:00:00.000Z', heartbeat: null,
  exit_code: null, signal: null, restarts: 0, supervisor_pid: 100, supervisor_pid_start: 1, boot_id: 'boot-a', lease_ms: 1_500, ...patch,
});
const seen = Date.parse('2026-01-01T00:00:10.000Z');

describe('another host\'s board entries', () => {
  it('read stopped, supervisor gone, once untouched for longer than their lease', () => {
    expect(silentElsewhere(entry(), facts, seen + 1_500, seen)).toBe(false);
    expect(settledElsewhere(entry(), facts, seen + 1_501, seen)).toMatchObject({
      status: 'stopped', reason: 'supervisor gone', pid: null, waiting_for: null, ended_at: '2026-01-01T00:00:10.000Z',
    });
    expect(silentElsewhere(entry({ status: 'waiting' }), facts, seen + 1_501, seen)).toBe(true);
  });

  it('without a recorded lease, the default one; never this host\'s, an ended one, or one outside a run', () => {
    expect(silentElsewhere(entry({ lease_ms: null }), facts, seen + DEFAULT_ENTRY_LEASE_MS, seen)).toBe(false);
    expect(silentElsewhere(entry({ lease_ms: null }), facts, seen + DEFAULT_ENTRY_LEASE_MS + 1, seen)).toBe(true);
    expect(silentElsewhere(entry({ host: 'host-b' }), facts, seen + 60_000, seen)).toBe(false);
    expect(silentElsewhere(entry({ status: 'exited' }), facts, seen + 60_000, seen)).toBe(false);
    expect(silentElsewhere(entry({ supervisor_pid: null }), facts, seen + 60_000, seen)).toBe(false);
  });
});
