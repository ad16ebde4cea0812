// Opening a coordination store: the file store on a coordination dir (the embedded default);
// a PostgreSQL URL will select the distributed store once it exists.

import { AgentvisorError } from './errors.js';
import type { Store } from './store.js';
import { FileStore, type FileStoreOptions } from './fs-store/file-store.js';

export interface OpenStoreOptions extends Partial<Omit<FileStoreOptions, 'dir'>> {
  /** The coordination dir (file store). */
  dir: string;
  /** `postgres://...`: the distributed store (not available yet). */
  url?: string;
}

/** Opens without touching the disk: a read-only command on a missing dir creates nothing. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.url) {
    throw new AgentvisorError('INVALID_ARGUMENT', `store ${options.url}: only the file store is available in this version`, { url: options.url });
  }
  return new FileStore(options);
}
