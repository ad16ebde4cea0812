// Messaging on the file store: what send, take, claim and watch do with the inboxes (inbox.ts holds
// the files), including whose claims go back to the inbox and which agents count as known.

import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { basename, relative, resolve, sep } from 'node:path';
import { AgentvisorError } from '../errors.js';
import { fault } from '../faults.js';
import type { MessageRecord } from '../records.js';
import type { InboxClaim, InboxEntry, SendRequest } from '../store.js';
import { agentIds } from './agents.js';
import {
  abandonedClaims,
  claim,
  consume,
  deliverEnd,
  deliverMessage,
  inboxIds,
  listInbox,
  peek,
  returnClaims,
  senderOf,
  sendersInFlight,
  settleClaims,
  type ClaimedFile,
  type Claimer,
  type InboxFile,
} from './inbox.js';
import { appendLines } from './journal.js';
import type { Layout } from './layout.js';
import type { Section, StoreContext } from './section.js';

/** What the messaging of one store needs: its context, and the claims this process has in flight. */
export interface Mailroom {
  ctx: StoreContext;
  /** Inbox claims of this process not settled yet (by their names in claimed/). */
  inFlight: Set<string>;
}

/** Runs a body in the store's critical section (for settling a claim). */
export type SettleRunner = (body: (s: Section) => void) => Promise<unknown>;

export { checkSend } from '../rules/messages.js';

export function sendInside(s: Section, request: SendRequest): MessageRecord[] {
  const known = knownIn(s.layout);
  if (request.to !== '*' && request.requireKnownTarget && !known.includes(request.to)) {
    throw new AgentvisorError('UNKNOWN_AGENT', `unknown agent "${request.to}": not on the board and no inbox`, { agentId: request.to, known });
  }
  const targets = request.to === '*' ? known.filter((id) => id !== request.from) : [request.to];
  const sent = targets.map((to) => {
    const record = deliverMessage(s.layout, to, () => reserveSeq(s), (seq) => ({
      id: `${seq}-${randomBytes(4).toString('hex')}`, from: request.from, to, type: request.type, message: request.message, timestamp: s.nowIso,
    }));
    s.mutated();
    return record;
  });
  // The board's `messages`: a journal of what was sent (delivered already; losing it loses no message).
  try {
    appendLines(s.layout.messagesLog, sent, 'messages');
  } catch {
    // only the board's view of recent messages misses them
  }
  return sent;
}

export function sendEndInside(s: Section, to: string, from: string): void {
  deliverEnd(s.layout, to, from, () => reserveSeq(s));
  s.mutated();
}

/** A message sequence number, on disk before any file carries it. */
function reserveSeq(s: Section): number {
  const seq = s.nextMessageSeq();
  s.persist();
  return seq;
}

/** Unread messages without the mutex, taking nothing. */
export function peekMessages(m: Mailroom, agentId: string): MessageRecord[] {
  const { layout } = m.ctx;
  // A dead claimer's claims are unread too: they go back to the inbox at the next take.
  const abandoned = abandonedClaims(layout, agentId, (c) => claimerDead(m, c));
  return [...listInbox(layout, agentId), ...abandoned]
    .sort((a, b) => a.seq - b.seq)
    .filter((f) => !f.end)
    .map((f) => peek(layout, agentId, f))
    .flatMap((e) => (e?.kind === 'message' ? [e.record] : []));
}

/** Consumed at once (delivered by returning them): oldest first, end markers as `ends` says. */
export function take(s: Section, m: Mailroom, agentId: string, ends: 'stop' | 'skip'): InboxEntry[] {
  returnStranded(s, m, agentId);
  const waitFor = sendersInFlight(s.layout, agentId);
  const taken: InboxEntry[] = [];
  for (const file of listInbox(s.layout, agentId)) {
    if (file.end && ends === 'skip') continue;
    if (behindAClaim(s, agentId, file, waitFor)) {
      if (file.end) break;
      continue;
    }
    const entry = consume(s.layout, agentId, file);
    s.mutated();
    if (entry) taken.push(entry);
    if (file.end) break;
  }
  return taken;
}

export function claimInside(s: Section, m: Mailroom, agentId: string, ends: 'stop' | 'skip'): ClaimedFile[] {
  returnStranded(s, m, agentId);
  const claimed: ClaimedFile[] = [];
  const claimer = { pid: process.pid, start: m.ctx.liveness.processStart(process.pid) ?? 0 };
  const waitFor = sendersInFlight(s.layout, agentId);
  for (const file of listInbox(s.layout, agentId)) {
    if (file.end && ends === 'skip') continue;
    if (behindAClaim(s, agentId, file, waitFor)) {
      if (file.end) break;
      continue;
    }
    const taken = claim(s.layout, agentId, file, claimer);
    s.mutated();
    if (taken) claimed.push(taken);
    if (file.end) break;
  }
  return claimed;
}

/**
 * Whether an entry must wait for claims of its sender still out (another reader is delivering
 * earlier messages of the same sender; should it die, they come back and go first). Nothing of
 * other senders waits. An entry whose sender cannot be told waits when any claim is out.
 */
function behindAClaim(s: Section, agentId: string, file: InboxFile, waitFor: Set<string>): boolean {
  if (waitFor.size === 0) return false;
  const sender = senderOf(s.layout, agentId, file);
  return sender === null || waitFor.has(sender) || waitFor.has('');
}

/** The claim as the caller sees it: its entries, and settle, which moves the delivered ones to read/. */
export function handOut(m: Mailroom, agentId: string, claimed: ClaimedFile[], run: SettleRunner): InboxClaim {
  for (const c of claimed) m.inFlight.add(c.claim);
  // Claimed and not yet delivered: a crash here must lose nothing (tests kill at this point).
  fault('inbox.claimed');
  let settled = false;
  return {
    entries: claimed.map((c) => c.entry),
    settle: async (delivered) => {
      if (settled || claimed.length === 0) return;
      settled = true;
      try {
        await run((s) => {
          settleClaims(s.layout, agentId, claimed, Math.max(0, Math.min(delivered, claimed.length)));
          s.mutated();
        });
      } finally {
        // Not settled (the store failed): the next take by this process returns them.
        for (const c of claimed) m.inFlight.delete(c.claim);
      }
    },
  };
}

/** Claims nobody will settle back into the inbox: a dead claimer's, and ours not in flight. */
function returnStranded(s: Section, m: Mailroom, agentId: string): void {
  const ownStart = m.ctx.liveness.processStart(process.pid) ?? 0;
  const returned = returnClaims(s.layout, agentId, (c, name) =>
    c.pid === process.pid && c.start === ownStart ? !m.inFlight.has(name) : claimerDead(m, c),
  );
  if (returned > 0) s.mutated();
}

function claimerDead(m: Mailroom, claimer: Claimer): boolean {
  return m.ctx.facts.pidState(claimer.pid, claimer.start || null) === 'dead';
}

export async function watchInbox(layout: Layout, agentId: string, onChange: () => void): Promise<() => Promise<void>> {
  const inbox = resolve(layout.inbox(agentId));
  mkdirSync(inbox, { recursive: true });
  // Loaded here only: the CLI's hot paths never pay for chokidar.
  const { watch } = await import('chokidar');
  const watcher = watch(inbox, { depth: 0, ignoreInitial: true, ignored: (path: string) => consumedOrTemp(inbox, path) });
  watcher.on('add', () => onChange());
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  // Anything that arrived before the watcher was ready.
  if (listInbox(layout, agentId).length > 0) onChange();
  return () => watcher.close();
}

/**
 * Whether the watcher should skip `path`: the inbox's own `read/` and `claimed/` folders and what
 * is below them, and temp files. Judged relative to the inbox, so an agent named `reader`, or a coordination dir
 * under a folder named `read`, is still watched.
 */
function consumedOrTemp(inbox: string, path: string): boolean {
  const inside = relative(inbox, resolve(path));
  const first = inside.split(sep)[0] ?? '';
  return first === 'read' || first === 'claimed' || basename(path).startsWith('.tmp');
}

/** Agents on the board or with an inbox. */
export function knownIn(layout: Layout): string[] {
  return [...new Set([...agentIds(layout), ...inboxIds(layout)])].sort();
}
