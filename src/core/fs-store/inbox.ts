// Inboxes: messages/<id>/<seq>.json, one message each, delivered by rename from messages/.tmp/ (a
// watcher never sees half a file); consumed by rename into messages/<id>/read/, so each message is
// returned once even to two readers at the same moment. An end marker (`send ID --end`) is
// messages/<id>/<seq>.end.json and keeps its place in the order. A reader that delivers somewhere
// (an agent's stdin, a terminal) claims first: rename into messages/<id>/claimed/<name>~<pid>-<start>,
// then, once delivered, into read/; what it could not deliver goes back, and a dead claimer's
// claims go back at the next take, in their order (the names carry it).

import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import { readRegularText } from './regular-file.js';
import { join } from 'node:path';
import type { MessageRecord } from '../records.js';
import type { InboxEntry } from '../store.js';
import { AgentvisorError } from '../errors.js';
import { createFile, step } from './atomic-file.js';
import type { Layout } from './layout.js';

const MESSAGE_NAME = /^(\d+)(\.end)?\.json$/;
const CLAIM_NAME = /^((\d+)(\.end)?\.json)~(\d+)-(\d+)$/;
const TYPES = new Set(['note', 'handoff', 'status']);

export interface InboxFile {
  name: string;
  seq: number;
  end: boolean;
  /** Set for a file in claimed/ (its name there). */
  claim?: string;
}

function seqName(seq: number, end: boolean): string {
  return `${String(seq).padStart(12, '0')}${end ? '.end' : ''}.json`;
}

/** Unread entries of an inbox, oldest first. */
export function listInbox(layout: Layout, agentId: string): InboxFile[] {
  let names: string[];
  try {
    names = readdirSync(layout.inbox(agentId));
  } catch {
    return [];
  }
  const files: InboxFile[] = [];
  for (const name of names) {
    const match = MESSAGE_NAME.exec(name);
    if (match?.[1]) files.push({ name, seq: Number(match[1]), end: match[2] !== undefined });
  }
  return files.sort((a, b) => a.seq - b.seq);
}

/**
 * Deliver with a fresh sequence number from `nextSeq` (which must be on disk before it is used).
 * Linked, never renamed: a file a lost counter would collide with is never overwritten; the next
 * number is tried instead.
 */
function deliver(layout: Layout, to: string, nextSeq: () => number, body: (seq: number) => { name: string; text: string }): number {
  mkdirSync(layout.messagesTemp, { recursive: true });
  mkdirSync(layout.inbox(to), { recursive: true });
  for (;;) {
    const seq = nextSeq();
    const { name, text } = body(seq);
    try {
      createFile(join(layout.inbox(to), name), text, { step: 'inbox', tempDir: layout.messagesTemp });
      return seq;
    } catch (error) {
      if (!(error instanceof AgentvisorError && error.facts.errno === 'EEXIST')) throw error;
    }
  }
}

export function deliverMessage(layout: Layout, to: string, nextSeq: () => number, record: (seq: number) => MessageRecord): MessageRecord {
  let delivered: MessageRecord | undefined;
  deliver(layout, to, nextSeq, (seq) => {
    delivered = record(seq);
    return { name: seqName(seq, false), text: JSON.stringify(delivered) + '\n' };
  });
  return delivered!;
}

export function deliverEnd(layout: Layout, to: string, from: string, nextSeq: () => number): void {
  deliver(layout, to, nextSeq, (seq) => ({ name: seqName(seq, true), text: JSON.stringify({ kind: 'end', id: `${seq}-end`, from }) + '\n' }));
}

export function parseMessage(text: string): MessageRecord | null {
  try {
    const value = JSON.parse(text) as MessageRecord;
    if (typeof value !== 'object' || value === null) return null;
    const ok = typeof value.id === 'string' && typeof value.from === 'string' && typeof value.to === 'string' && typeof value.message === 'string' && typeof value.timestamp === 'string';
    if (!ok) return null;
    return { id: value.id, from: value.from, to: value.to, type: TYPES.has(value.type) ? value.type : 'note', message: value.message, timestamp: value.timestamp };
  } catch {
    return null;
  }
}

function parseEnd(text: string): { id: string; from: string } | null {
  try {
    const value = JSON.parse(text) as { id?: unknown; from?: unknown };
    return { id: typeof value.id === 'string' ? value.id : 'end', from: typeof value.from === 'string' ? value.from : 'unknown' };
  } catch {
    return null;
  }
}

function readText(path: string): string | null {
  return readRegularText(path);
}

/**
 * Take one entry: rename it into read/ (only one reader can win the rename), then parse it. Null
 * when another reader took it first, or when it does not parse (it stays in read/, set aside).
 */
export function consume(layout: Layout, agentId: string, file: InboxFile): InboxEntry | null {
  const readDir = join(layout.inbox(agentId), 'read');
  mkdirSync(readDir, { recursive: true });
  const target = join(readDir, file.name);
  const taken = step('inbox.consume', target, () => {
    try {
      renameSync(join(layout.inbox(agentId), file.name), target);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  });
  if (!taken) return null;
  return parseInboxText(readText(target), file);
}

export function peek(layout: Layout, agentId: string, file: InboxFile): InboxEntry | null {
  const path = file.claim ? join(claimDir(layout, agentId), file.claim) : join(layout.inbox(agentId), file.name);
  return parseInboxText(readText(path), file);
}

// ---------------------------------------------------------------- claims

/** Who claims: a pid and its start time, so a reused pid is not mistaken for the claimer. */
export interface Claimer {
  pid: number;
  start: number;
}

export interface ClaimedFile {
  file: InboxFile;
  /** The file's name in claimed/. */
  claim: string;
  entry: InboxEntry;
}

function claimDir(layout: Layout, agentId: string): string {
  return join(layout.inbox(agentId), 'claimed');
}

interface ClaimName extends InboxFile {
  claim: string;
  pid: number;
  start: number;
}

function claims(layout: Layout, agentId: string): ClaimName[] {
  let names: string[];
  try {
    names = readdirSync(claimDir(layout, agentId));
  } catch {
    return [];
  }
  const found: ClaimName[] = [];
  for (const claim of names) {
    const m = CLAIM_NAME.exec(claim);
    if (m?.[1] && m[2] && m[4] && m[5]) found.push({ claim, name: m[1], seq: Number(m[2]), end: m[3] !== undefined, pid: Number(m[4]), start: Number(m[5]) });
  }
  return found.sort((a, b) => a.seq - b.seq);
}

function moveQuietly(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Claims whose claimer `gone` says will never settle them go back to the inbox; how many did. */
export function returnClaims(layout: Layout, agentId: string, gone: (claimer: Claimer, claim: string) => boolean): number {
  let returned = 0;
  for (const c of claims(layout, agentId)) {
    if (!gone({ pid: c.pid, start: c.start }, c.claim)) continue;
    step('inbox.return', c.claim, () => moveQuietly(join(claimDir(layout, agentId), c.claim), join(layout.inbox(agentId), c.name)));
    returned += 1;
  }
  return returned;
}

/** The sender of an inbox entry (in the inbox, or in claimed/), or null when it does not parse. */
export function senderOf(layout: Layout, agentId: string, file: InboxFile): string | null {
  const entry = peek(layout, agentId, file);
  if (!entry) return null;
  return entry.kind === 'message' ? entry.record.from : entry.from;
}

/**
 * The senders of the claims still out (their claimers live, or are this process's in flight): a
 * later message of theirs must wait until those are settled or come back, so each sender's
 * messages are delivered in order even when a claimer dies mid-delivery.
 */
export function sendersInFlight(layout: Layout, agentId: string): Set<string> {
  const senders = new Set<string>();
  for (const c of claims(layout, agentId)) senders.add(senderOf(layout, agentId, { ...c, claim: c.claim }) ?? '');
  return senders;
}

/** Claims of claimers `dead` says are dead, as inbox files (peek shows them: they are unread). */
export function abandonedClaims(layout: Layout, agentId: string, dead: (claimer: Claimer) => boolean): InboxFile[] {
  return claims(layout, agentId).filter((c) => dead({ pid: c.pid, start: c.start }));
}

/**
 * Claim one entry: rename it into claimed/ under the claimer's name. Null when it is gone, or when
 * it does not parse (then it is set aside in read/, as a consumed one would be).
 */
export function claim(layout: Layout, agentId: string, file: InboxFile, claimer: Claimer): ClaimedFile | null {
  const dir = claimDir(layout, agentId);
  mkdirSync(dir, { recursive: true });
  const name = `${file.name}~${claimer.pid}-${claimer.start}`;
  const taken = step('inbox.claim', name, () => {
    try {
      renameSync(join(layout.inbox(agentId), file.name), join(dir, name));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  });
  if (!taken) return null;
  const entry = parseInboxText(readText(join(dir, name)), file);
  if (entry) return { file, claim: name, entry };
  mkdirSync(join(layout.inbox(agentId), 'read'), { recursive: true });
  moveQuietly(join(dir, name), join(layout.inbox(agentId), 'read', file.name));
  return null;
}

/** The first `delivered` claims into read/, the rest back into the inbox. */
export function settleClaims(layout: Layout, agentId: string, claimed: ClaimedFile[], delivered: number): void {
  const dir = claimDir(layout, agentId);
  if (delivered > 0) mkdirSync(join(layout.inbox(agentId), 'read'), { recursive: true });
  claimed.forEach((c, i) => {
    const to = i < delivered ? join(layout.inbox(agentId), 'read', c.file.name) : join(layout.inbox(agentId), c.file.name);
    step('inbox.settle', c.claim, () => moveQuietly(join(dir, c.claim), to));
  });
}

function parseInboxText(text: string | null, file: InboxFile): InboxEntry | null {
  if (text === null) return null;
  if (file.end) {
    const end = parseEnd(text);
    return end ? { kind: 'end', ...end } : null;
  }
  const record = parseMessage(text);
  return record ? { kind: 'message', record } : null;
}

/** Agents with an inbox folder (messages may wait for an agent that has not started yet). */
export function inboxIds(layout: Layout): string[] {
  try {
    return readdirSync(layout.messagesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name);
  } catch {
    return [];
  }
}

/** Unread messages by agent: in the inbox, or claimed and not yet delivered. */
export function pendingCounts(layout: Layout): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of inboxIds(layout).sort()) {
    const pending = [...listInbox(layout, id), ...claims(layout, id)].filter((f) => !f.end).length;
    if (pending > 0) counts[id] = pending;
  }
  return counts;
}

/** Highest sequence number present anywhere (to recover a lost counter). */
export function maxMessageSeq(layout: Layout): number {
  let max = 0;
  for (const id of inboxIds(layout)) {
    for (const dir of [layout.inbox(id), join(layout.inbox(id), 'read'), claimDir(layout, id)]) {
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        // no such folder
      }
      for (const name of names) {
        const seq = MESSAGE_NAME.exec(name)?.[1] ?? CLAIM_NAME.exec(name)?.[2];
        if (seq) max = Math.max(max, Number(seq));
      }
    }
  }
  return max;
}
