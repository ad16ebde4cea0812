// LISTEN on a dedicated connection of its own (never a pooled one), opened when the first waiter
// or inbox watcher subscribes and closed with the last. NOTIFY is not stored: a listener that was
// disconnected missed what was sent meanwhile, so after a reconnect every subscriber is woken
// once, and callers also poll (at most a second apart) for whatever a notification could miss.

import type { Client } from 'pg';
import { unrefSocket } from './connection.js';
import { CHANNEL } from './section.js';

type Wake = () => void;

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 2_000;

export class Listener {
  private readonly subscribers = new Map<string, Set<Wake>>();
  private client: Client | null = null;
  private starting = false;
  private closed = false;
  private backoff = RECONNECT_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly connectTimeoutMs: number,
  ) {}

  /** Call `wake` when `payload` is notified (or may have been missed); returns the unsubscribe. */
  subscribe(payload: string, wake: Wake): () => void {
    let set = this.subscribers.get(payload);
    if (!set) this.subscribers.set(payload, (set = new Set()));
    set.add(wake);
    void this.start();
    return () => {
      set.delete(wake);
      if (set.size === 0) this.subscribers.delete(payload);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  private async start(): Promise<void> {
    if (this.client || this.starting || this.closed) return;
    this.starting = true;
    try {
      const pg = await import('pg');
      const Ctor = ((pg as unknown as { default?: typeof pg }).default ?? pg).Client;
      const client = new Ctor({ connectionString: this.url, keepAlive: true, application_name: 'agentvisor-listen', connectionTimeoutMillis: this.connectTimeoutMs });
      client.on('error', () => this.lost(client));
      client.on('end', () => this.lost(client));
      client.on('notification', (message) => {
        if (message.channel === CHANNEL && message.payload) this.wake(message.payload);
      });
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      unrefSocket(client);
      if (this.closed || this.subscribers.size === 0) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.backoff = RECONNECT_MIN_MS;
      // Whatever was notified before we listened (or while we were away) was missed.
      this.wakeAll();
    } catch {
      this.retry();
    } finally {
      this.starting = false;
    }
  }

  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.retry();
  }

  private retry(): void {
    if (this.closed || this.subscribers.size === 0 || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.start();
    }, this.backoff);
    this.retryTimer.unref();
    this.backoff = Math.min(this.backoff * 2, RECONNECT_MAX_MS);
  }

  private wake(payload: string): void {
    for (const wake of this.subscribers.get(payload) ?? []) wake();
  }

  private wakeAll(): void {
    for (const set of this.subscribers.values()) for (const wake of set) wake();
  }

  private stop(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('end');
      client.on('error', () => undefined);
      client.end().catch(() => undefined);
    }
  }

  close(): void {
    this.closed = true;
    this.subscribers.clear();
    this.stop();
  }
}
