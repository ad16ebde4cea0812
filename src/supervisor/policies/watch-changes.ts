// Writes that no hook sees: while the run runs, watch the project and record each changed file in
// history as `modified` by the running agent that owns it, or, when no running agent owns it, as an
// `unowned` conflict (a write outside ownership, shown in the summary) naming the live lock that
// covers it, if any, and its writer where that is known: the one agent running then that covers it
// only to read (`reads`, a shared lock), whose files changed then show it. The file system cannot
// say who wrote; ownership can.
// A change is attributed by its mtime to the agent running at that moment, so a change seen just
// after an agent exited still counts as its own.
// The watcher starts beside the agents, not before them (its set-up cost ~100 ms of every run's
// start): until it is ready, a file its first scan finds with an mtime after the run began counts
// as changed, and once it is ready, files created in folders before they were watched are looked up.

import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { FSWatcher } from 'chokidar';
import { lockCovers } from '../../core/rules/conflicts.js';
import type { ConflictRecord, HistoryEntry, LockRecord } from '../../core/records.js';
import type { AgentProcess } from '../agent-process.js';
import type { Policy, RunContext } from '../policy.js';
import { planWatch, type WatchPlan } from '../project-watch.js';

const FLUSH_MS = 100;
const READY_BOUND_MS = 3_000;
/** File timestamps come from a coarse kernel clock: a write just after a spawn may look earlier. */
const MTIME_SLACK_MS = 20;
/** At the end, events of the last moments have arrived once the watcher saw nothing for this long. */
const QUIET_MS = 30;
const SETTLE_BOUND_MS = 1_000;

interface Change {
  path: string;
  at: number;
}

function ranAt(agent: AgentProcess, at: number): boolean {
  return agent.intervals.some((i) => at >= i.from - MTIME_SLACK_MS && (i.to === null || at <= i.to));
}

/** The live lock whose path covers `path`, an exclusive one first (the one a writer had to respect). */
function coveringLock(held: LockRecord[], path: string): LockRecord | undefined {
  const covering = held.filter((l) => lockCovers(l.file_path, path));
  return covering.find((l) => l.mode === 'exclusive') ?? covering[0];
}

/** What the config declares over `path` (the first agent that does), as a lock would say it. */
function declaredLock(run: RunContext, path: string): Pick<LockRecord, 'agent_id' | 'file_path' | 'mode' | 'timestamp'> | undefined {
  for (const agent of run.agents.values()) {
    const owned = agent.spec.owns.find((p) => lockCovers(p, path));
    const read = owned === undefined ? agent.spec.reads.find((p) => lockCovers(p, path)) : undefined;
    const file = owned ?? read;
    if (file !== undefined) return { agent_id: agent.id, file_path: file, mode: owned !== undefined ? 'exclusive' : 'shared', timestamp: '' };
  }
  return undefined;
}

/** Whether one of these lock paths covers the path (a literal covers what lies under it). */
function coversAny(lockPaths: string[] | undefined, path: string): boolean {
  return (lockPaths ?? []).some((p) => lockCovers(p, path));
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function watchChanges(): Policy {
  let watcher: FSWatcher | null = null;
  let pending: Change[] = [];
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  let starting: Promise<void> = Promise.resolve();
  const closing = new AbortController();
  /** performance.now() of the watcher's last raw event, and stats of changes still being taken. */
  let lastRawAt = Number.NEGATIVE_INFINITY;
  let inFlight = 0;
  const owns = new Map<string, string[]>();
  const declared = new Map<string, string[]>();
  const seenUnowned = new Set<string>();


  async function flush(run: RunContext): Promise<void> {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    let held: LockRecord[] = [];
    try {
      held = await run.store.listLocks();
    } catch {
      // Config ownership alone still attributes most changes.
    }
    const history: HistoryEntry[] = [];
    const conflicts: ConflictRecord[] = [];
    for (const change of batch) {
      const owner = [...run.agents.values()].find(
        (agent) =>
          ranAt(agent, change.at) &&
          (coversAny(owns.get(agent.id), change.path) ||
            held.some((l) => l.agent_id === agent.id && l.mode === 'exclusive' && lockCovers(l.file_path, change.path))),
      );
      const at = new Date(change.at).toISOString();
      if (owner) {
        if (owner.changed.has(change.path)) continue;
        owner.changed.add(change.path);
        history.push({ at, agent_id: owner.id, file_path: change.path, event: 'modified' });
        continue;
      }
      if (seenUnowned.has(change.path)) continue;
      seenUnowned.add(change.path);
      // A live lock covering the path (someone outside the run, or an agent not running then) names
      // the holder; else the run's agent that declared it (its `reads` lock was shared, and may be
      // released by now).
      const lock = coveringLock(held, change.path) ?? declaredLock(run, change.path);
      const lockedBy = lock?.agent_id ?? null;
      // The writer, where it is known: the one agent running then that covers the path only to read.
      const readers = [...run.agents.values()].filter((agent) => ranAt(agent, change.at) && coversAny(declared.get(agent.id), change.path));
      const writer = readers.length === 1 ? readers[0]! : null;
      writer?.changed.add(change.path);
      run.unowned.push({ path: change.path, lockedBy, lockPath: lock?.file_path ?? null, mode: lock?.mode ?? null, since: lock?.timestamp || null, writer: writer?.id ?? null, at });
      conflicts.push({
        file_path: change.path, locked_by: lockedBy, lock_path: lock?.file_path ?? null, since: lock?.timestamp || null, witness: change.path, kind: 'unowned', at,
        ...(writer ? { agent_id: writer.id } : {}), ...(lock ? { mode: lock.mode } : {}),
      });
    }
    if (history.length > 0) await run.store.appendHistory(history);
    if (conflicts.length > 0) await run.store.appendConflicts(conflicts);
  }

  function schedule(run: RunContext): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      flushing = flushing.then(() => flush(run)).catch((error: unknown) => run.log.debug({ err: error }, 'recording changes failed'));
    }, FLUSH_MS);
  }

  function note(run: RunContext, path: string, at: number): void {
    const rel = relative(run.settings.root, path).split(sep).join('/');
    if (rel.startsWith('..')) return;
    pending.push({ path: rel, at });
    schedule(run);
  }

  /**
   * A change seen now, attributed by the file's mtime (never later than now); with `since`, only
   * when the file was written after it (what the first scan finds).
   */
  function record(run: RunContext, path: string, stats: Stats | undefined, options: { gone?: boolean; since?: number } = {}): void {
    const seenAt = Date.now();
    const take = (mtime: number | null): void => {
      if (options.since !== undefined && (mtime === null || mtime < options.since - MTIME_SLACK_MS)) return;
      note(run, path, Math.min(mtime ?? seenAt, seenAt));
    };
    if (options.gone) return take(null);
    if (stats) return take(stats.mtimeMs);
    inFlight++;
    void stat(path)
      .then((s) => s.mtimeMs, () => null)
      .then(take)
      .finally(() => inFlight--);
  }

  /**
   * chokidar reads a folder before it watches it: a file created in between is in no event. Once
   * the watcher is ready every folder is watched, so one more listing of each finds those files.
   */
  async function lookForMissed(run: RunContext, w: FSWatcher, plan: WatchPlan, since: number): Promise<void> {
    // getWatched() names the targets' parent folders too: only folders inside a target count.
    const inside = (dir: string): boolean => plan.targets.some((t) => dir === t || dir.startsWith(t + sep));
    for (const [dir, known] of Object.entries(w.getWatched())) {
      if (closing.signal.aborted) return;
      if (!inside(dir) || plan.ignored(dir)) continue;
      const names = new Set(known);
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (names.has(entry.name) || plan.ignored(full)) continue;
        if (entry.isDirectory()) {
          w.add(full);
          continue;
        }
        const s = await stat(full).catch(() => null);
        if (s && s.mtimeMs >= since - MTIME_SLACK_MS) note(run, full, s.mtimeMs);
      }
    }
  }

  async function begin(run: RunContext, since: number): Promise<void> {
    const { root, dir } = run.settings;
    const plan = await planWatch(root, dir, [...run.agents.values()].flatMap((a) => a.spec.owns), closing.signal);
    if (closing.signal.aborted) return;
    if (!plan.wholeRoot) run.log.warn('the project has too many folders to watch whole within inotify limits: only owned folders are watched, so unowned changes elsewhere go unseen');
    if (plan.targets.length === 0) return;
    // Loaded here only: `exec` and the CLI's other commands never pay for chokidar.
    const { watch } = await import('chokidar');
    if (closing.signal.aborted) return;
    // `atomic: false`: chokidar would hold each deletion back 100 ms; editors' artefacts are in plan.ignored.
    const w = watch(plan.targets, { ignoreInitial: false, atomic: false, ignored: (path) => plan.ignored(path), persistent: true });
    watcher = w;
    let ready = false;
    w.on('raw', () => (lastRawAt = performance.now()));
    // During the first scan, only what was written since the run began is a change.
    w.on('add', (path, stats) => record(run, path, stats, ready ? {} : { since }));
    w.on('change', (path, stats) => record(run, path, stats));
    w.on('unlink', (path) => record(run, path, undefined, { gone: true }));
    w.on('error', (error) => run.log.debug({ err: error }, 'change watcher error'));
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(bound);
        closing.signal.removeEventListener('abort', done);
        resolve();
      };
      const bound = setTimeout(done, READY_BOUND_MS);
      w.once('ready', done);
      closing.signal.addEventListener('abort', done, { once: true });
    });
    if (closing.signal.aborted) return;
    ready = true;
    await lookForMissed(run, w, plan, since);
  }

  /** Let the events of the last moments (the agents are gone) arrive: until the watcher is quiet. */
  async function settle(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    const bound = performance.now() + SETTLE_BOUND_MS;
    while ((performance.now() - lastRawAt < QUIET_MS || inFlight > 0) && performance.now() < bound) await pause(5);
  }

  return {
    name: 'watch-changes',
    attach(run) {
      for (const agent of run.agents.values()) {
        owns.set(agent.id, agent.spec.owns);
        declared.set(agent.id, [...agent.spec.owns, ...agent.spec.reads]);
      }
      starting = begin(run, Date.now()).catch((error: unknown) => run.log.debug({ err: error }, 'the change watcher could not start'));
    },
    async detach(run) {
      // The first scan finishes (bounded) even when every agent already ended: it finds their
      // files. Not after Ctrl-C or SIGTERM: the person waiting comes before a large tree's scan.
      if (run.stopReason?.kind === 'signal') closing.abort();
      await starting;
      if (watcher) await settle();
      closing.abort();
      await watcher?.close();
      watcher = null;
      clearTimeout(timer);
      timer = undefined;
      await flushing;
      await flush(run).catch(() => undefined);
    },
  };
}
