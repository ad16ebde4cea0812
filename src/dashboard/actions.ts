// The dashboard's writing actions (JSON POSTs, token checked before they run): a message or a
// handoff request, a forced release of one holder's lock, and stop or restart of an agent of the
// attached run. Each returns the answer's status and body; refusals are HttpErrors.

import { isBadInput } from '../core/errors.js';
import { validateAgentId } from '../core/ids.js';
import { tellForcedRelease } from '../core/notices.js';
import type { MessageType } from '../core/records.js';
import type { Store } from '../core/store.js';
import type { RunControl } from '../supervisor/run-control.js';
import { HttpError, stringField } from './requests.js';

/** Who the dashboard's actions are recorded as (history `by`, a message's `from`). */
export const DASHBOARD_ACTOR = 'dashboard';
const TYPES: readonly MessageType[] = ['note', 'handoff', 'status'];

export interface ActionContext {
  store: Store;
  /** The attached run, or null (`agentvisor dashboard` on its own). */
  control: RunControl | null;
}

export interface Answer {
  status: number;
  body: unknown;
}

function agentId(value: string, field: string): string {
  try {
    return validateAgentId(value, field);
  } catch (error) {
    if (isBadInput(error)) throw new HttpError(400, (error as Error).message);
    throw error;
  }
}

/** POST /api/messages {to, message, type?}: to an agent id (known to the store or the run) or `*`. */
export async function sendMessage(ctx: ActionContext, body: Record<string, unknown>): Promise<Answer> {
  const to = stringField(body, 'to');
  const message = stringField(body, 'message');
  const type = body.type === undefined ? 'note' : body.type;
  if (typeof type !== 'string' || !(TYPES as readonly string[]).includes(type)) throw new HttpError(400, `"type" must be one of ${TYPES.join(', ')}`);
  if (to !== '*') agentId(to, 'to');
  const known = new Set([...(await ctx.store.knownAgents()), ...(await ctx.store.listLocks()).map((l) => l.agent_id), ...(ctx.control?.agentIds() ?? [])]);
  known.delete(DASHBOARD_ACTOR);
  if (to !== '*' && !known.has(to)) throw new HttpError(404, `unknown agent "${to}" (known: ${[...known].sort().join(', ') || 'none'})`);
  const targets = to === '*' ? [...known].sort() : [to];
  const sent = [];
  for (const target of targets) sent.push(...(await ctx.store.send({ from: DASHBOARD_ACTOR, to: target, type: type as MessageType, message })));
  return { status: 200, body: { sent } };
}

/**
 * POST /api/locks/release {agent_id, file_path}: that holder's lock on that path goes at once,
 * recorded as `forced`, and the holder is told in its inbox. One of its declared owns/reads: its
 * supervisor stops it at its next renewal (lost lease). One it took mid-task: the message is all.
 */
export async function forceRelease(ctx: ActionContext, body: Record<string, unknown>): Promise<Answer> {
  const holder = agentId(stringField(body, 'agent_id'), 'agent_id');
  const path = stringField(body, 'file_path');
  const { released } = await ctx.store.release(DASHBOARD_ACTOR, [path], { force: true, holder });
  if (released.length === 0) throw new HttpError(404, `${holder} holds no lock on ${path}`);
  // Told in its inbox, as `unlock --force` tells it.
  await tellForcedRelease(ctx.store, released, DASHBOARD_ACTOR);
  const declared = (await ctx.store.board()).agents[holder]?.files.includes(path) ?? false;
  return { status: 200, body: { released, declared } };
}

/** POST /api/agents/ID/stop and /restart: agents of the attached run only (409 without one). */
export function controlAgent(ctx: ActionContext, id: string, action: 'stop' | 'restart'): Answer {
  agentId(id, 'agent id');
  if (!ctx.control) throw new HttpError(409, `no run is attached to this dashboard: ${action} works with \`agentvisor run --dashboard\``);
  const answer = action === 'stop' ? ctx.control.stop(id, DASHBOARD_ACTOR) : ctx.control.restart(id, DASHBOARD_ACTOR);
  if (answer.ok) return { status: 202, body: { agent: id, action, detail: answer.detail } };
  throw new HttpError(answer.why === 'unknown-agent' ? 404 : 409, answer.detail);
}
