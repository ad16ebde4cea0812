// request_handoff: ask the holders of some paths to hand them over. Each holder gets one `handoff`
// message naming its paths; with a wait, the request takes its place in the waiting line first (the
// store's queue: first come, first served among overlapping requests), so when the holder releases,
// it is granted before anyone who asked later.

import type { ConflictRecord } from '../core/records.js';
import type { AgentToolsContext } from './agent-tools.js';
import { acquired, type ToolResult } from './results.js';
import { shellQuote } from '../guard/shell-quote.js';

export interface HandoffRequest {
  paths: string[];
  message?: string;
  waitMs: number;
  signal: AbortSignal;
}

export async function requestHandoff(ctx: AgentToolsContext, request: HandoffRequest): Promise<ToolResult> {
  const wanted = request.paths.map((path) => ({ path, mode: 'exclusive' as const }));
  let told: Promise<string[]> | null = null;
  const result = await ctx.store.acquire({
    agentId: ctx.agentId,
    paths: wanted,
    owner: ctx.owner,
    ...(request.waitMs > 0 ? { wait: true, timeoutMs: request.waitMs } : { wait: false }),
    // Called once the request is in line (its queue entry written): only then are holders told.
    onWait: (info) => {
      told ??= tellHolders(ctx, info.conflicts, request.message, true);
    },
    waitReportMs: Number.MAX_SAFE_INTEGER,
    signal: request.signal,
  });
  let asked: string[] = told ? await told : [];
  // Refused at once (no wait): nobody was told yet.
  if (!result.granted && result.reason === 'conflict' && told === null) asked = await tellHolders(ctx, result.conflicts, request.message, false);
  return acquired(result, request.waitMs, asked);
}

/** One handoff message per holder (not to earlier waiters: they hold nothing yet); returns who was told. */
async function tellHolders(ctx: AgentToolsContext, conflicts: ConflictRecord[], note: string | undefined, waiting: boolean): Promise<string[]> {
  const byHolder = new Map<string, Set<string>>();
  for (const c of conflicts) {
    if (c.queued || !c.locked_by || c.locked_by === ctx.agentId) continue;
    const held = byHolder.get(c.locked_by) ?? new Set<string>();
    held.add(c.lock_path ?? c.file_path);
    byHolder.set(c.locked_by, held);
  }
  for (const [holder, held] of byHolder) {
    const lockPaths = [...held];
    const message =
      `${ctx.agentId} asks you to hand over ${lockPaths.join(', ')}${note ? `: ${note}` : ''}. ` +
      `When you can, finish or pause your edit there and release it (the unlock tool, or: agentvisor unlock ${lockPaths.map(shellQuote).join(' ')}); ` +
      (waiting ? `${ctx.agentId} is waiting in line for it.` : `${ctx.agentId} will ask again later.`);
    await ctx.store.send({ from: ctx.agentId, to: holder, type: 'handoff', message });
  }
  return [...byHolder.keys()];
}

