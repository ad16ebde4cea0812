// `agentvisor inbox --hook`: the message hook of an agent client. After each tool call (Claude Code
// and Codex PostToolUse, Gemini CLI AfterTool) and at each prompt (UserPromptSubmit, Gemini
// BeforeAgent) it hands the agent's unread messages to the model as context (each client's
// `hookSpecificOutput.additionalContext`) and marks them read once written. With nothing unread it
// reads one directory and opens nothing: it runs after every tool call.

import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { coordinationDir, findRoot } from '../core/location.js';
import { chooseStore } from '../core/store-choice.js';
import type { MessageRecord } from '../core/records.js';
import { guardIdentity } from './identity.js';

export interface MessageHookInput {
  payload: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  agent?: string;
  dir?: string;
  /** Writes the hook's stdout (the client's JSON); messages are marked read once it returned. */
  write(text: string): void;
}

interface HookFacts {
  event: string;
  sessionId: string | null;
  cwd: string | null;
}

/** Returns how many messages were handed over. */
export async function messageHook(input: MessageHookInput): Promise<number> {
  const facts = readFacts(input.payload);
  const { agentId } = guardIdentity(input.agent, input.env, facts.sessionId);
  const base = resolve(input.cwd, facts.cwd ?? '.');
  const root = findRoot({ cwd: base, env: input.env });
  const dir = coordinationDir({ root, cwd: input.cwd, env: input.env, dir: input.dir });
  const target = chooseStore({ root, env: input.env });
  if (!target.url && !mayHaveMessages(dir, agentId)) return 0;

  const { openStore } = await import('../core/open-store.js');
  const store = await openStore({ dir, url: target.url, scope: target.scope });
  try {
    const claim = await store.claimInbox(agentId, { ends: 'skip' });
    const messages = claim.entries.flatMap((e) => (e.kind === 'message' ? [e.record] : []));
    if (messages.length) input.write(`${JSON.stringify(hookOutput(facts.event, contextText(agentId, messages)))}\n`);
    await claim.settle(claim.entries.length);
    return messages.length;
  } finally {
    await store.close();
  }
}

/** The client's JSON: the same shape for Claude Code, Codex and Gemini CLI, named by the event. */
export function hookOutput(event: string, context: string): Record<string, unknown> {
  return { hookSpecificOutput: { hookEventName: event, additionalContext: context } };
}

export function contextText(agentId: string, messages: MessageRecord[]): string {
  const lines = messages.map((m) => `- from ${m.from} (${m.type}, ${m.timestamp}): ${m.message.replace(/\n/g, '\n  ')}`);
  const handoff = messages.some((m) => m.type === 'handoff')
    ? '\nA handoff message asks you to hand over files you hold: finish or pause your edit there, then release them (the agentvisor unlock tool, or `agentvisor unlock PATH`).'
    : '';
  const count = messages.length === 1 ? 'a new message' : `${messages.length} new messages`;
  return `agentvisor: ${agentId}, you have ${count} from other agents:\n${lines.join('\n')}${handoff}`;
}

/**
 * Whether the file store's inbox holds anything to deliver: a message file, or claims that a dead
 * reader may have left. Another store (AGENTVISOR_STORE) cannot be looked at this cheaply.
 */
function mayHaveMessages(dir: string, agentId: string): boolean {
  const inbox = join(dir, 'messages', agentId);
  let names: string[];
  try {
    names = readdirSync(inbox);
  } catch {
    return false;
  }
  if (names.some((name) => /^\d+\.json$/.test(name))) return true;
  if (!names.includes('claimed')) return false;
  try {
    return readdirSync(join(inbox, 'claimed')).length > 0;
  } catch {
    return false;
  }
}

function readFacts(payload: string): HookFacts {
  let value: unknown = {};
  try {
    value = payload.trim() === '' ? {} : JSON.parse(payload);
  } catch {
    // Not JSON: still deliver, as a PostToolUse hook (the most common event).
  }
  const json = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const text = (name: string): string | null => (typeof json[name] === 'string' && json[name] !== '' ? (json[name] as string) : null);
  return { event: text('hook_event_name') ?? 'PostToolUse', sessionId: text('session_id'), cwd: text('cwd') };
}
