// Where each thing lives in the coordination dir (see docs/file-store.md for the whole layout).
// Lock file names are made where locks are taken (grant.ts): readers need no crypto.

import { join } from 'node:path';

export const LOCK_SUFFIX = '.lock';
export const TXN_PREFIX = 'txn-';

export class Layout {
  // Used in every section: joined once.
  readonly counters: string;
  readonly board: string;
  readonly history: string;
  readonly conflicts: string;
  /** Every message sent, one JSON line each (the board shows the last 50). */
  readonly messagesLog: string;
  readonly queueDir: string;
  /** When future-dated locks were first seen (suspects.ts). */
  readonly suspects: string;
  /** `join(dir, name)` for a plain name is this prefix and the name. */
  private readonly prefix: string;

  constructor(readonly dir: string) {
    this.prefix = join(dir, '_').slice(0, -1);
    this.counters = this.lock('counters.json');
    this.board = this.lock('status_board.json');
    this.history = this.lock('history.jsonl');
    this.conflicts = this.lock('conflicts.jsonl');
    this.messagesLog = this.lock('messages.jsonl');
    this.queueDir = this.lock('queue');
    this.suspects = this.lock('suspects.json');
  }

  get agentsDir(): string {
    return join(this.dir, 'agents');
  }
  get messagesDir(): string {
    return join(this.dir, 'messages');
  }
  get messagesTemp(): string {
    return join(this.dir, 'messages', '.tmp');
  }
  inbox(agentId: string): string {
    return join(this.dir, 'messages', agentId);
  }
  agentFile(agentId: string): string {
    return join(this.dir, 'agents', `${agentId}.json`);
  }
  txn(token: number): string {
    return this.lock(`${TXN_PREFIX}${token}.json`);
  }
  /** A file directly in the dir (a lock file, a txn file). */
  lock(name: string): string {
    return this.prefix + name;
  }
}

/** The token of a `txn-<token>.json` name, or null. */
export function txnToken(name: string): number | null {
  const match = /^txn-(\d+)\.json$/.exec(name);
  return match?.[1] ? Number(match[1]) : null;
}
