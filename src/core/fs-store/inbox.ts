// Inboxes: messages/<id>/<seq>.json, one message each, delivered by rename from messages/.tmp/ (a
// watcher never sees half a file); consumed by rename into messages/<id>/read/, so each message is
// returned once even to two readers at the same moment. An end marker (`send ID --end`) is
// messages/<id>/<seq>.end.json and keeps its place in the order.

import { mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageRecord } from '../records.js';
import type { InboxEntry } from '../store.js';
import { AgentvisorError } from '../errors.js';
import { createFile, step } from './atomic-file.js';
import type { Layout } from './layout.js';

const MESSAGE_NAME = /^(\d+)(\.end)?\.json$/;
const TYPES = new Set(['note', 'handoff', 'status']);

export interface InboxFile {
  name: string;
  seq: number;
  end: boolean;
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
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
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
  return parseInboxText(readText(join(layout.inbox(agentId), file.name)), file);
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

export function pendingCounts(layout: Layout): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of inboxIds(layout).sort()) {
    const pending = listInbox(layout, id).filter((f) => !f.end).length;
    if (pending > 0) counts[id] = pending;
  }
  return counts;
}

/** Highest sequence number present anywhere (to recover a lost counter). */
export function maxMessageSeq(layout: Layout): number {
  let max = 0;
  for (const id of inboxIds(layout)) {
    for (const dir of [layout.inbox(id), join(layout.inbox(id), 'read')]) {
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        // no such folder
      }
      for (const name of names) {
        const match = MESSAGE_NAME.exec(name);
        if (match?.[1]) max = Math.max(max, Number(match[1]));
      }
    }
  }
  return max;
}
