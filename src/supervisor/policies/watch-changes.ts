// Writes that no hook sees: while the run runs, watch the project and record each changed file in
// history as `modified` by the running agent that owns it, or, when no running agent owns it, as an
// `unowned` conflict (shown in the summary). The file system cannot say who wrote; ownership can.
// A change is attributed by its mtime to the agent running at that moment, so a change seen just
// after an agent exited still counts as its own.

import { stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { matchesPath, parsePattern, type Pattern } from '../../core/glob/index.js';
import type { ConflictRecord, HistoryEntry, LockRecord } from '../../core/records.js';
import type { AgentProcess } from '../agent-process.js';
import type { Policy, RunContext } from '../policy.js';
import { planWatch } from '../project-watch.js';

const FLUSH_MS = 100;
const READY_BOUND_MS = 3_000;
/** File timestamps come from a coarse kernel clock: a write just after a spawn may look earlier. */
const MTIME_SLACK_MS = 20;

interface Change {
  path: string;
  at: number;
}

function compile(paths: string[]): Pattern[] {
  const out: Pattern[] = [];
  for (const path of paths) {
    try {
      out.push(parsePattern(path));
    } catch {
      // The config was validated; a path the glob module refuses simply matches nothing here.
    }
  }
  return out;
}

function ranAt(agent: AgentProcess, at: number): boolean {
  return agent.intervals.some((i) => at >= i.from - MTIME_SLACK_MS && (i.to === null || at <= i.to));
}

export function watchChanges(): Policy {
  let watcher: FSWatcher | null = null;
  let pending: Change[] = [];
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  const owns = new Map<string, Pattern[]>();
  const declared = new Map<string, Pattern[]>();
  const seenUnowned = new Set<string>();

  const matchesAny = (patterns: Pattern[] | undefined, path: string): boolean => (patterns ?? []).some((p) => matchesPath(p, path));

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
          (matchesAny(owns.get(agent.id), change.path) ||
            held.some((l) => l.agent_id === agent.id && l.mode === 'exclusive' && matchesAny(compile([l.file_path]), change.path))),
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
      const holder = [...run.agents.values()].find((agent) => matchesAny(declared.get(agent.id), change.path));
      run.unowned.push({ path: change.path, lockedBy: holder?.id ?? null, at });
      conflicts.push({
        file_path: change.path, locked_by: holder?.id ?? null, lock_path: null, since: null, witness: change.path, kind: 'unowned', at,
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

  return {
    name: 'watch-changes',
    async attach(run) {
      const { root, dir } = run.settings;
      for (const agent of run.agents.values()) {
        owns.set(agent.id, compile(agent.spec.owns));
        declared.set(agent.id, compile([...agent.spec.owns, ...agent.spec.reads]));
      }
      const plan = planWatch(root, dir, [...run.agents.values()].flatMap((a) => a.spec.owns));
      if (!plan.wholeRoot) run.log.warn('the project has too many folders to watch whole within inotify limits: only owned folders are watched, so unowned changes elsewhere go unseen');
      if (plan.targets.length === 0) return;
      const w = watch(plan.targets, { ignoreInitial: true, ignored: (path) => plan.ignored(path), persistent: true });
      watcher = w;
      const record = (event: string, path: string): void => {
        const rel = relative(root, path).split(sep).join('/');
        if (rel.startsWith('..')) return;
        const seenAt = Date.now();
        const at = event === 'unlink' ? Promise.resolve(seenAt) : stat(path).then((s) => s.mtimeMs, () => seenAt);
        void at.then((time) => {
          pending.push({ path: rel, at: Math.min(time, seenAt) });
          schedule(run);
        });
      };
      w.on('add', (path) => record('add', path));
      w.on('change', (path) => record('change', path));
      w.on('unlink', (path) => record('unlink', path));
      w.on('error', (error) => run.log.debug({ err: error }, 'change watcher error'));
      await new Promise<void>((resolve) => {
        const bound = setTimeout(resolve, READY_BOUND_MS);
        w.once('ready', () => {
          clearTimeout(bound);
          resolve();
        });
      });
    },
    async detach(run) {
      // Let events of the last moments arrive before the watcher goes.
      await new Promise((resolve) => setTimeout(resolve, FLUSH_MS));
      await watcher?.close();
      watcher = null;
      clearTimeout(timer);
      timer = undefined;
      await flushing;
      await flush(run).catch(() => undefined);
    },
  };
}
