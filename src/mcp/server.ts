// The MCP server on stdio (the official SDK's low-level Server): lists the tools of catalogue.ts and
// runs them through agent-tools.ts. Outside a supervised agent it also keeps its agent on the board
// and its locks alive: registered at start, renewed every heartbeat, released when stdin closes or
// the process is told to stop. Stdout carries JSON-RPC only; words for people go to stderr.

import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Readable, Writable } from 'node:stream';
import { hostName } from '../core/liveness.js';
import type { LockRecord } from '../core/records.js';
import { callTool, type AgentToolsContext } from './agent-tools.js';
import { TOOLS } from './catalogue.js';

export interface ServeOptions extends AgentToolsContext {
  /** Inside an agent started by `run`/`exec`: the supervisor registers, renews and releases. */
  supervised: boolean;
  heartbeatMs: number;
  version: string;
  stdin: Readable;
  stdout: Writable;
  /** One line for people (stderr). */
  say(line: string): void;
  /** Aborted on SIGTERM/SIGINT. */
  signal: AbortSignal;
}

const INSTRUCTIONS =
  'agentvisor coordinates several coding agents on one repository with file locks. Before editing files another agent ' +
  'might touch, lock them (or check who holds them); unlock them when done. If a file is held, do not edit it: ask its ' +
  'holder with request_handoff, or work on something else. Read your inbox when told you have messages.';

/** Serve until stdin ends or `signal` aborts; then release what this server owns and return. */
export async function serveMcp(options: ServeOptions): Promise<void> {
  const server = new Server({ name: 'agentvisor', version: options.version }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  const stopping = new AbortController();
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS.map((t) => ({ ...t })) }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const signal = AbortSignal.any([extra.signal, stopping.signal]);
    return { ...(await callTool(options, request.params.name, request.params.arguments, signal)) };
  });

  const ended = new Promise<void>((resolve) => {
    options.stdin.once('end', resolve);
    options.stdin.once('close', resolve);
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const keeper = options.supervised ? null : await keepAlive(options);
  options.onRelease = (released) => keeper?.forget(released);
  await server.connect(new StdioServerTransport(options.stdin, options.stdout));
  options.say(`mcp: serving agent ${options.agentId} on stdio`);
  try {
    await ended;
  } finally {
    stopping.abort();
    await server.close().catch(() => undefined);
    await keeper?.stop();
  }
}

interface Keeper {
  /** Locks the agent released itself: not lost when they are gone at the next renewal. */
  forget(released: LockRecord[]): void;
  stop(): Promise<void>;
}

/** Register the agent, renew its locks every heartbeat; on stop, release them and mark it exited. */
async function keepAlive(options: ServeOptions): Promise<Keeper> {
  const { store, agentId } = options;
  const pid = process.pid;
  const now = (): string => new Date().toISOString();
  await store.updateAgent(agentId, { status: 'running', pid, host: hostName(), started_at: now(), heartbeat: now(), exit_code: null, signal: null });
  await store.flushBoard();
  let expected: LockRecord[] = [];
  const releasedTokens = new Set<number>();
  let beat: Promise<void> = Promise.resolve();
  const renew = async (): Promise<void> => {
    const { renewed, lost } = await store.renew(agentId, { pid, expected });
    expected = renewed.filter((l) => !releasedTokens.has(l.token));
    await store.updateAgent(agentId, { heartbeat: now() });
    const news = lost.filter((l) => !releasedTokens.has(l.token));
    if (news.length) await tellLost(options, news);
  };
  const timer = setInterval(() => {
    beat = beat.then(renew).catch((error: unknown) => options.say(`mcp: renewing ${agentId}'s locks failed: ${(error as Error).message}`));
  }, options.heartbeatMs);
  timer.unref();
  return {
    forget(released) {
      for (const l of released) releasedTokens.add(l.token);
      expected = expected.filter((l) => !releasedTokens.has(l.token));
    },
    async stop() {
      clearInterval(timer);
      await beat;
      const released = await store.releaseAll(agentId, { pid });
      await store.updateAgent(agentId, { status: 'exited', exit_code: 0, heartbeat: now() });
      await store.flushBoard();
      if (released.length) options.say(`mcp: released ${released.map((l) => l.file_path).join(', ')}`);
    },
  };
}

/** A lock of this server's that vanished (reclaimed, or force-released): the agent is told in its inbox. */
async function tellLost(options: ServeOptions, lost: LockRecord[]): Promise<void> {
  const paths = lost.map((l) => l.file_path).join(', ');
  await options.store.send({
    from: 'agentvisor',
    to: options.agentId,
    type: 'status',
    message: `You no longer hold ${paths}: the lock was released by someone else or reclaimed. Stop editing there; lock it again before you go on.`,
  });
}
