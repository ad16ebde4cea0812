// Both stores for one suite: each test gets a fresh file store (a temp dir) or a fresh PostgreSQL
// scope on the run's server; the options a fixture process needs to open the same store, and the
// environment that points the CLI and the seed API at it.

import { join } from 'node:path';
import { describe, onTestFinished } from 'vitest';
import { openStore, type OpenStoreOptions } from '../../src/core/open-store.js';
import type { Store } from '../../src/core/store.js';
import { describePg, freshScope, pgUrl } from './pg.js';
import { testDir } from './tempdir.js';

export type StoreName = 'file' | 'postgres';

export interface Opened {
  store: Store;
  /** The coordination dir (also given to the PostgreSQL store, which ignores it). */
  dir: string;
  /** What openStore needs for the same store in another process (ACTOR_STORE_OPTIONS). */
  options: Omit<OpenStoreOptions, 'dir'>;
  /** The environment that points the CLI and the seed API at the same store (AGENTVISOR_DIR, or AGENTVISOR_STORE and AGENTVISOR_SCOPE). */
  env: Record<string, string>;
  /** Another handle on the same store (as another process would have), closed after the test. */
  again(extra?: Partial<OpenStoreOptions>): Promise<Store>;
}

export interface StoreKind {
  name: StoreName;
  open(extra?: Partial<OpenStoreOptions>): Promise<Opened>;
}

async function opened(dir: string, options: Omit<OpenStoreOptions, 'dir'>, extra: Partial<OpenStoreOptions>): Promise<Opened> {
  const open = async (more: Partial<OpenStoreOptions> = {}): Promise<Store> => {
    const store = await openStore({ dir, ...options, ...extra, ...more });
    onTestFinished(() => store.close());
    return store;
  };
  const env: Record<string, string> = options.url ? { AGENTVISOR_STORE: options.url, AGENTVISOR_SCOPE: options.scope! } : { AGENTVISOR_DIR: dir };
  return { store: await open(), dir, options, env, again: open };
}

export const fileKind: StoreKind = {
  name: 'file',
  open: (extra = {}) => opened(join(testDir(), 'locks'), {}, extra),
};

export const pgKind: StoreKind = {
  name: 'postgres',
  open: (extra = {}) => opened(join(testDir(), 'locks'), { url: pgUrl(), scope: freshScope() }, extra),
};

/**
 * Run `body` once per store: the PostgreSQL one skipped loudly without a server. The portable
 * re-run (AGENTVISOR_PORTABLE, vitest.config.ts) is about the file store's own process and mutex
 * paths: it runs the file store only, so that the suites it repeats do not pay for PostgreSQL twice.
 */
export function forEachStore(body: (kind: StoreKind) => void): void {
  describe('file store', () => body(fileKind));
  if (process.env.AGENTVISOR_PORTABLE === '1') return;
  describePg('PostgreSQL store', () => body(pgKind));
}
