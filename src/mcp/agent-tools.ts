// What each MCP tool does, for one agent on one store: the store call, and the result as the model
// reads it (the contract's records as JSON text; conflicts and refusals as isError results that name
// the holder or the problem). Knows nothing of the MCP SDK: server.ts does the protocol.

import { AgentvisorError } from '../core/errors.js';
import { validateAgentId } from '../core/ids.js';
import { normaliseLockPath } from '../core/paths.js';
import type { BoardRecord, ConflictRecord, LockMode, LockRecord, MessageRecord, MessageType } from '../core/records.js';
import type { LockOwner, Store } from '../core/store.js';
import { checkArgs, ToolInputError, toolNamed, waitMs, type Args } from './catalogue.js';
import { requestHandoff } from './handoff.js';
import { acquired, json, problem, records, text, type ToolResult } from './results.js';

export interface AgentToolsContext {
  store: Store;
  agentId: string;
  root: string;
  /** Who keeps the locks taken here alive (the supervisor inside `run`, else this server). */
  owner: LockOwner;
  /** Told of every lock the agent released itself (so that its absence is not news later). */
  onRelease?: (released: LockRecord[]) => void;
}

/** Run one tool call; never throws (a failure is an isError result saying what went wrong). */
export async function callTool(ctx: AgentToolsContext, name: string, rawArgs: unknown, signal: AbortSignal): Promise<ToolResult> {
  const tool = toolNamed(name);
  if (!tool) return problem(`unknown tool "${name}": use lock, unlock, check, status, send, inbox or request_handoff`);
  try {
    const args = checkArgs(tool, rawArgs);
    switch (tool.name) {
      case 'lock':
        return await lock(ctx, args, signal);
      case 'unlock':
        return await unlock(ctx, args);
      case 'check':
        return checked(await ctx.store.check(ctx.agentId, requests(ctx, args, 'exclusive')));
      case 'status':
        return board(await ctx.store.board());
      case 'send':
        return await send(ctx, args);
      case 'inbox':
        return inbox(await ctx.store.readMessages(ctx.agentId, { peek: args.peek === true }), args.peek === true);
      case 'request_handoff':
        return await requestHandoff(ctx, { paths: paths(ctx, args), message: optionalString(args.message), waitMs: waitMs(args), signal });
    }
  } catch (error) {
    if (error instanceof ToolInputError) return problem(error.message);
    if (error instanceof AgentvisorError) return problem(`${name}: ${error.message}`);
    return problem(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function lock(ctx: AgentToolsContext, args: Args, signal: AbortSignal): Promise<ToolResult> {
  const mode: LockMode = args.shared === true ? 'shared' : 'exclusive';
  const wait = waitMs(args);
  const result = await ctx.store.acquire({
    agentId: ctx.agentId,
    paths: requests(ctx, args, mode),
    owner: ctx.owner,
    ...(wait > 0 ? { wait: true, timeoutMs: wait } : { wait: false }),
    signal,
  });
  return acquired(result, wait);
}

async function unlock(ctx: AgentToolsContext, args: Args): Promise<ToolResult> {
  const result = await ctx.store.release(ctx.agentId, paths(ctx, args));
  ctx.onRelease?.(result.released);
  if (result.notHeld.length === 0) return records(`Released ${result.released.map((l) => l.file_path).join(', ')}.`, result.released);
  const released = result.released.length ? `Released ${result.released.map((l) => l.file_path).join(', ')}. ` : '';
  return {
    isError: true,
    content: [text(`${released}Not held by ${ctx.agentId}: ${result.notHeld.join(', ')} (never taken, already released, or reclaimed).`), json(result.released)],
  };
}

async function send(ctx: AgentToolsContext, args: Args): Promise<ToolResult> {
  const to = String(args.to);
  if (to !== '*') validateAgentId(to, 'to');
  const type = (optionalString(args.type) ?? 'note') as MessageType;
  const known = new Set([...(await ctx.store.knownAgents()), ...(await ctx.store.listLocks()).map((l) => l.agent_id)]);
  if (to !== '*' && !known.has(to)) {
    const listed = [...known].filter((id) => id !== ctx.agentId).sort();
    return problem(`send: unknown agent "${to}" (known: ${listed.join(', ') || 'none yet'}); call status to see the agents`);
  }
  const targets = to === '*' ? [...known].filter((id) => id !== ctx.agentId).sort() : [to];
  const sent = [];
  for (const target of targets) sent.push(...(await ctx.store.send({ from: ctx.agentId, to: target, type, message: String(args.message) })));
  return records(sent.length ? `Sent ${type} to ${sent.map((m) => m.to).join(', ')}.` : 'No other agent to send to.', sent);
}

function checked(conflicts: ConflictRecord[]): ToolResult {
  if (!conflicts.length) return records('Free: no other agent holds or awaits these paths.', conflicts);
  const lines = conflicts.map((c) => `- ${c.file_path}: ${c.locked_by ?? 'another agent'} ${c.queued ? 'is earlier in line for' : 'holds'} ${c.lock_path ?? c.file_path}`);
  return records(`Held by other agents (do not edit these):\n${lines.join('\n')}`, conflicts);
}

function board(record: BoardRecord): ToolResult {
  const agents = Object.keys(record.agents).length;
  return records(`The board: ${agents} agent${agents === 1 ? '' : 's'}, ${record.locks.length} lock${record.locks.length === 1 ? '' : 's'} held.`, record);
}

function inbox(messages: MessageRecord[], peek: boolean): ToolResult {
  if (!messages.length) return records('No unread messages.', messages);
  const count = messages.length === 1 ? '1 unread message' : `${messages.length} unread messages`;
  return records(`${count}${peek ? ' (left unread)' : ' (now marked read)'}:\n${messages.map((m) => `- from ${m.from} (${m.type}): ${m.message}`).join('\n')}`, messages);
}

export function paths(ctx: AgentToolsContext, args: Args): string[] {
  const out: string[] = [];
  for (const input of args.paths as string[]) {
    const { path } = normaliseLockPath(input, { root: ctx.root });
    if (!out.includes(path)) out.push(path);
  }
  return out;
}

function requests(ctx: AgentToolsContext, args: Args, mode: LockMode): { path: string; mode: LockMode }[] {
  return paths(ctx, args).map((path) => ({ path, mode }));
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
