// Both stores for one suite: each test gets a fresh file store (a temp dir) or a fresh PostgreSQL
// scope on the run's server; the options a fixture process needs to open the same store.

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
  return { store: await open(), dir, options, again: open };
}

export const fileKind: StoreKind = {
  name: 'file',
  open: (extra = {}) => opened(join(testDir(), 'locks'), {}, extra),
};

export const pgKind: StoreKind = {
  name: 'postgres',
  open: (extra = {}) => opened(join(testDir(), 'locks'), { url: pgUrl(), scope: freshScope() }, extra),
};

/** Run `body` once per store: the PostgreSQL one skipped loudly without a server. */
export function forEachStore(body: (kind: StoreKind) => void): void {
  describe('file store', () => body(fileKind));
  describePg('PostgreSQL store', () => body(pgKind));
}
