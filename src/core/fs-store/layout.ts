// Where each thing lives in the coordination dir (see docs/file-store.md for the whole layout).
// Lock file names are made where locks are taken (grant.ts): readers need no crypto.

import { join } from 'node:path';

export const LOCK_SUFFIX = '.lock';
export const TXN_PREFIX = 'txn-';

export class Layout {
  constructor(readonly dir: string) {}

  get counters(): string {
    return join(this.dir, 'counters.json');
  }
  get board(): string {
    return join(this.dir, 'status_board.json');
  }
  get history(): string {
    return join(this.dir, 'history.jsonl');
  }
  get conflicts(): string {
    return join(this.dir, 'conflicts.jsonl');
  }
  get queueDir(): string {
    return join(this.dir, 'queue');
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
    return join(this.dir, `${TXN_PREFIX}${token}.json`);
  }
  lock(name: string): string {
    return join(this.dir, name);
  }
}

/** The token of a `txn-<token>.json` name, or null. */
export function txnToken(name: string): number | null {
  const match = /^txn-(\d+)\.json$/.exec(name);
  return match?.[1] ? Number(match[1]) : null;
}
