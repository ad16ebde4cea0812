// Opening a coordination store: the file store on a coordination dir (the embedded default), or
// the PostgreSQL store for a postgres:// or postgresql:// URL (loaded only then: the file store's
// hot paths never load it, nor `pg`).

import { AgentvisorError } from './errors.js';
import type { Store } from './store.js';
import { FileStore, type FileStoreOptions } from './fs-store/file-store.js';
import { isPostgresUrl, redactUrl } from './pg-store/url.js';

export interface OpenStoreOptions extends Partial<Omit<FileStoreOptions, 'dir'>> {
  /** The coordination dir (file store). */
  dir: string;
  /** `postgres://...` or `postgresql://...`: the PostgreSQL store. */
  url?: string | null;
  /** The PostgreSQL store's scope (required with `url`). */
  scope?: string;
  /** PostgreSQL: deadline of one database call (default AGENTVISOR_PG_CALL_TIMEOUT_MS, else 5 s). */
  callTimeoutMs?: number;
}

/** Opens without touching the disk or the network: a read-only command creates nothing it need not. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.url) {
    if (!isPostgresUrl(options.url)) {
      throw new AgentvisorError('INVALID_ARGUMENT', `store "${redactUrl(options.url)}" is not a postgres:// or postgresql:// URL`, { url: redactUrl(options.url) });
    }
    if (!options.scope) throw new AgentvisorError('INVALID_ARGUMENT', 'the PostgreSQL store needs a scope', { url: redactUrl(options.url) });
    const { PgStore } = await import('./pg-store/pg-store.js');
    return new PgStore({
      url: options.url,
      scope: options.scope,
      ...(options.liveness ? { liveness: options.liveness } : {}),
      ...(options.callTimeoutMs ? { callTimeoutMs: options.callTimeoutMs } : {}),
      ...(options.queueLeaseMs ? { queueLeaseMs: options.queueLeaseMs } : {}),
    });
  }
  return new FileStore(options);
}
