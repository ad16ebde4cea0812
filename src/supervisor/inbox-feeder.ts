// Feeding a stdin agent: its prompt first, then every message of its inbox in order, the backlog
// first, in the agent's format. Each batch is claimed from the store, written, and settled only once
// the pipe took it: what could not be written (the agent's stdin gone) goes back to the inbox, and
// so does all of it if we die in between. An end marker (`send ID --end`) or shutdown ends its stdin
// after what is pending; messages sent after the end marker wait in the inbox for the next run.

import type { Writable } from 'node:stream';
import type { MessageFormat } from '../config/types.js';
import type { MessageRecord } from '../core/records.js';
import type { Store } from '../core/store.js';

export function formatMessage(record: MessageRecord, format: MessageFormat): string {
  switch (format) {
    case 'text':
      return `${record.from}: ${record.message}\n`;
    case 'jsonl':
      return `${JSON.stringify(record)}\n`;
    case 'claude':
      return claudeTurn(`${record.from}: ${record.message}`);
  }
}

export function formatPrompt(prompt: string, format: MessageFormat, agentId: string): string {
  switch (format) {
    case 'text':
      return `${prompt}\n`;
    case 'jsonl': {
      const record: MessageRecord = { id: 'prompt', from: 'agentvisor', to: agentId, type: 'note', message: prompt, timestamp: new Date().toISOString() };
      return `${JSON.stringify(record)}\n`;
    }
    case 'claude':
      return claudeTurn(prompt);
  }
}

function claudeTurn(content: string): string {
  return `${JSON.stringify({ type: 'user', message: { role: 'user', content } })}\n`;
}

export class InboxFeeder {
  private pumping: Promise<void> | null = null;
  private again = false;
  private ended = false;
  private unwatch: (() => Promise<void>) | null = null;

  constructor(
    private readonly agentId: string,
    private readonly stdin: Writable,
    private readonly format: MessageFormat,
    private readonly store: Store,
    private readonly onError: (error: unknown) => void,
  ) {
    stdin.on('error', () => this.dispose());
  }

  async start(prompt: string | null): Promise<void> {
    if (prompt !== null) this.write(formatPrompt(prompt, this.format, this.agentId));
    const unwatch = await this.store.watchInbox(this.agentId, () => void this.pump());
    if (this.ended) await unwatch();
    else this.unwatch = unwatch;
    await this.pump();
  }

  /** Deliver what is pending, then end the agent's input (shutdown). */
  async finish(): Promise<void> {
    if (this.ended) return;
    await this.pump();
    this.endInput();
  }

  /** Stop watching (the agent exited); nothing more is taken from its inbox. */
  dispose(): void {
    this.ended = true;
    const unwatch = this.unwatch;
    this.unwatch = null;
    void unwatch?.().catch(() => undefined);
  }

  /** One pump at a time; a wake-up during a pump makes it go round once more. */
  pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    this.pumping = this.drain().finally(() => (this.pumping = null));
    return this.pumping;
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      if (this.ended || !this.stdin.writable) return;
      try {
        if (await this.deliverBatch()) return this.endInput();
      } catch (error) {
        this.onError(error);
      }
    } while (this.again);
  }

  /** One claimed batch, written and settled; true when it ended with the end marker. */
  private async deliverBatch(): Promise<boolean> {
    const claim = await this.store.claimInbox(this.agentId, { ends: 'stop' });
    let delivered = 0;
    let ended = false;
    try {
      for (const entry of claim.entries) {
        if (entry.kind === 'end') {
          delivered += 1;
          ended = true;
          break;
        }
        if (!(await this.deliver(formatMessage(entry.record, this.format)))) break;
        delivered += 1;
      }
    } finally {
      await claim.settle(delivered);
    }
    return ended;
  }

  /** Write and wait until the pipe has it: false when the agent's stdin is gone. */
  private deliver(text: string): Promise<boolean> {
    if (this.ended || !this.stdin.writable) return Promise.resolve(false);
    return new Promise((resolve) => this.stdin.write(text, (error) => resolve(!error)));
  }

  private write(text: string): void {
    if (!this.ended && this.stdin.writable) this.stdin.write(text);
  }

  private endInput(): void {
    if (!this.ended && this.stdin.writable) this.stdin.end();
    this.dispose();
  }
}
