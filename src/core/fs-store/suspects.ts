// When the store first saw each lock whose time lies in the future beyond the clock skew
// (suspects.json: {"<lock file>|<its stamp>": wall ms}): such a lock ages from then, so a seed-tool
// lock dated 2099 is reclaimed by the 1-hour rule an hour after it appeared, not never. Written
// inside the critical section, only when the set of suspects changes; read by anyone.

import type { Instant, MachineFacts } from '../staleness.js';
import { futureDated } from '../staleness.js';
import { replaceFile } from './atomic-file.js';
import type { Layout } from './layout.js';
import { judgedRecord, type StoredLock } from './lock-files.js';
import { readRegularText } from './regular-file.js';

export type FirstSeen = ReadonlyMap<string, number>;

function keyOf(lock: StoredLock): string {
  const record = judgedRecord(lock);
  return `${lock.name}|${record.heartbeat ?? record.timestamp}`;
}

function read(layout: Layout): Map<string, number> {
  const text = readRegularText(layout.suspects);
  const seen = new Map<string, number>();
  if (text === null) return seen;
  try {
    for (const [key, at] of Object.entries(JSON.parse(text) as Record<string, unknown>)) {
      if (typeof at === 'number' && Number.isFinite(at)) seen.set(key, at);
    }
  } catch {
    // rebuilt at the next section
  }
  return seen;
}

/** When each future-dated lock of `locks` was first seen, as the file says (readers outside the mutex). */
export function firstSeenOf(layout: Layout, locks: StoredLock[], now: Instant, facts: MachineFacts): (lock: StoredLock) => number | null {
  if (!locks.some((l) => futureDated(judgedRecord(l), now, facts))) return () => null;
  const seen = read(layout);
  return (lock) => seen.get(keyOf(lock)) ?? null;
}

/** Inside the section: note the suspects seen for the first time now, forget those gone. */
export function trackSuspects(layout: Layout, locks: StoredLock[], now: Instant, facts: MachineFacts): (lock: StoredLock) => number | null {
  const suspects = locks.filter((l) => futureDated(judgedRecord(l), now, facts));
  // None (the usual case): nothing read or written; a file left from earlier suspects is harmless
  // (its keys name a file and a stamp) and is rewritten without them when a suspect appears.
  if (suspects.length === 0) return () => null;
  const stored = read(layout);
  const next = new Map<string, number>();
  for (const lock of suspects) next.set(keyOf(lock), stored.get(keyOf(lock)) ?? now.wall);
  const changed = next.size !== stored.size || [...next].some(([k, v]) => stored.get(k) !== v);
  if (changed) replaceFile(layout.suspects, `${JSON.stringify(Object.fromEntries(next))}\n`, { step: 'suspects' });
  return (lock) => next.get(keyOf(lock)) ?? null;
}
