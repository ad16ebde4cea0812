// The file store's inbox watcher: it ignores only the inbox's own read/ folder, not a folder named
// "read" above the coordination dir. (File-only: it is about folder names. What both stores share,
// order, exactly once, peek, broadcast, end markers, claims, watchInbox: test/store-contract/messages.test.ts.)

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../../../src/core/fs-store/file-store.js';
import { testDir } from '../../helpers/tempdir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { runActor } from './support.js';

describe('watchInbox on files', () => {
  it('watchInbox ignores only the inbox\'s own read/ folder: agent "reader", in a dir under a folder named "read"', async () => {
    const dir = join(testDir(), 'read', '.tmpdir', 'locks');
    const store = new FileStore({ dir });
    let told = 0;
    const stop = await store.watchInbox('reader', () => (told += 1));
    await runActor(dir, [{ op: 'send', from: 'a', to: 'reader', message: 'live' }]);
    await waitFor(() => told > 0, { what: 'the watcher of "reader" to fire' });
    // Consumed into reader/read/; the watcher keeps telling of new arrivals.
    expect((await store.readMessages('reader')).map((m) => m.message)).toEqual(['live']);
    const before = told;
    await runActor(dir, [{ op: 'send', from: 'a', to: 'reader', message: 'again' }]);
    await waitFor(() => told > before, { what: 'the watcher to fire for the second message' });
    await stop();
    expect((await store.readMessages('reader')).map((m) => m.message)).toEqual(['again']);
    await store.close();
  });
});
