// Waiting for the coordination dir to change without spinning: fs.watch on the dir and on queue/
// wakes a waiter as soon as a lock file or a waiter's entry goes away; a timer that backs off is
// the safety net for what no event reports (a lease running out, a missed event). Only names that
// can let a waiter in wake it (`relevant`): under contention every section rewrites the counters,
// the journals, temp files and the board, and waking every waiter for each of those made the whole
// line run a section per section (a storm that kept the mutex busy with waiters re-checking).

import { watch, type FSWatcher } from 'node:fs';

export class ChangeSignal {
  private readonly watchers: FSWatcher[] = [];
  private wake: (() => void) | null = null;
  private changed = false;

  constructor(dirs: string[], relevant: (name: string) => boolean = () => true) {
    for (const dir of dirs) {
      try {
        // No name (some systems do not say): wake, to be safe.
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          if (name === null || relevant(String(name))) this.fire();
        });
        watcher.on('error', () => undefined);
        this.watchers.push(watcher);
      } catch {
        // No watcher (folder gone, inotify limit): the timer still wakes us.
      }
    }
  }

  private fire(): void {
    this.changed = true;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /**
   * Resolves on a change (true: a change since the last wait counts), after `ms` or when `signal`
   * aborts (false).
   */
  wait(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (this.changed || signal?.aborted) {
      const changed = this.changed;
      this.changed = false;
      return Promise.resolve(changed);
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wake = null;
        const changed = this.changed;
        this.changed = false;
        resolve(changed);
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  close(): void {
    for (const watcher of this.watchers) watcher.close();
    this.watchers.length = 0;
    this.fire();
  }
}
