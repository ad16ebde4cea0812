// What the run's per-agent logs (<coordination dir>/logs/<id>.log) add to the page: each agent's
// last output lines, and the token use and cost its client reports (Claude Code's stream-json
// `result` events carry `usage` and `total_cost_usd`, cumulative per session). Read incrementally:
// each call reads only what was appended since the last one.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** Lines kept per agent, and how much of one line is kept. */
export const TAIL_LINES = 8;
const LINE_CHARS = 300;
/** A log first seen larger than this is read from its last part only. */
const FIRST_READ_BYTES = 2 * 1024 * 1024;
/** The supervisor's note at the first start of a run (supervisor/agent-process.ts): counts restart there. */
const RUN_START = /^--- agentvisor: started \(pid \d+, attempt 1\)$/;

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cost_usd: number;
  /** How many result events were counted. */
  results: number;
}

export interface AgentOutputView {
  lines: string[];
  usage: Usage | null;
}

interface LogState {
  offset: number;
  partial: string;
  lines: string[];
  /** The latest result of each session of the current run (cumulative within a session). */
  sessions: Map<string, Omit<Usage, 'results'> & { results: number }>;
}

export class AgentLogs {
  private readonly states = new Map<string, LogState>();

  constructor(private readonly dir: string) {}

  /** The view of each agent that has a log; agents without one are left out. */
  read(agentIds: string[]): Record<string, AgentOutputView> {
    const out: Record<string, AgentOutputView> = {};
    for (const id of agentIds) {
      const state = this.update(id);
      if (state) out[id] = { lines: [...state.lines], usage: total(state) };
    }
    return out;
  }

  private update(id: string): LogState | null {
    let fd: number;
    try {
      fd = openSync(join(this.dir, `${id}.log`), 'r');
    } catch {
      return this.states.get(id) ?? null;
    }
    try {
      const size = fstatSync(fd).size;
      let state = this.states.get(id);
      if (!state || size < state.offset) {
        state = { offset: Math.max(0, size - FIRST_READ_BYTES), partial: '', lines: [], sessions: new Map() };
        this.states.set(id, state);
        // Started mid-file: the first piece is part of a line.
        if (state.offset > 0) state.partial = '\0';
      }
      if (size > state.offset) this.consume(state, readRange(fd, state.offset, size));
      state.offset = size;
      return state;
    } finally {
      closeSync(fd);
    }
  }

  private consume(state: LogState, text: string): void {
    const all = state.partial + text;
    const pieces = all.split('\n');
    state.partial = pieces.pop() ?? '';
    const skipFirst = all.startsWith('\0');
    pieces.forEach((line, i) => {
      if (i === 0 && skipFirst) return;
      if (RUN_START.test(line)) {
        state.sessions.clear();
        state.lines = [];
      }
      countUsage(state, line);
      if (line.trim() === '') return;
      state.lines.push(line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS)}…` : line);
      if (state.lines.length > TAIL_LINES) state.lines.shift();
    });
  }
}

function readRange(fd: number, from: number, to: number): string {
  const buffer = Buffer.alloc(to - from);
  let read = 0;
  while (read < buffer.length) {
    const n = readSync(fd, buffer, read, buffer.length - read, from + read);
    if (n === 0) break;
    read += n;
  }
  return buffer.subarray(0, read).toString('utf8');
}

const number = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** A stream-json `result` line: its session's usage so far replaces what that session said before. */
function countUsage(state: LogState, line: string): void {
  if (!line.startsWith('{') || !line.includes('"result"')) return;
  let event: { type?: unknown; session_id?: unknown; usage?: Record<string, unknown>; total_cost_usd?: unknown };
  try {
    event = JSON.parse(line) as typeof event;
  } catch {
    return;
  }
  if (event.type !== 'result' || typeof event.usage !== 'object' || event.usage === null) return;
  const session = typeof event.session_id === 'string' ? event.session_id : '';
  const before = state.sessions.get(session);
  state.sessions.set(session, {
    input_tokens: number(event.usage.input_tokens),
    output_tokens: number(event.usage.output_tokens),
    cache_creation_input_tokens: number(event.usage.cache_creation_input_tokens),
    cache_read_input_tokens: number(event.usage.cache_read_input_tokens),
    cost_usd: number(event.total_cost_usd),
    results: (before?.results ?? 0) + 1,
  });
}

function total(state: LogState): Usage | null {
  if (state.sessions.size === 0) return null;
  const sum: Usage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cost_usd: 0, results: 0 };
  for (const s of state.sessions.values()) {
    sum.input_tokens += s.input_tokens;
    sum.output_tokens += s.output_tokens;
    sum.cache_creation_input_tokens += s.cache_creation_input_tokens;
    sum.cache_read_input_tokens += s.cache_read_input_tokens;
    sum.cost_usd += s.cost_usd;
    sum.results += s.results;
  }
  return sum;
}
