// `agentvisor status`: agents (this run's first), waiters, locks, recent conflicts and pending messages, as a table or as the
// fresh board record; `--watch` redraws on changes until interrupted.

import type { FSWatcher } from 'chokidar';
import { openStore } from '../../core/open-store.js';
import { redactUrl } from '../../core/pg-store/url.js';
import { boardContentKey, emptyBoard, type AgentEntry, type BoardRecord } from '../../core/records.js';
import type { Store } from '../../core/store.js';
import { flag } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { locate, storeExists, storeOptions, untilAborted, withStore, type Place } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { agentNote, groupAgents } from '../status-agents.js';
import { formatAge, formatClock, paintFor, table, writeJson, writeJsonLine, writeLines, type Paint } from '../output.js';

const RECENT_CONFLICTS = 5;
/** --watch also redraws on this beat, so ages stay true and a dir created later is picked up. */
const WATCH_TICK_MS = 1_000;

export const command: CommandSpec = {
  name: 'status',
  summary: 'Agents, locks, recent conflicts and pending messages.',
  usage: 'status [--json] [--watch] [--all]',
  details: `Agents of the current run come first (a run with a live agent, else the last run); agents of
earlier runs are counted apart, and listed with --all. A waiting agent says what it waits for (a
lock: which path, held by whom; or an agent), an ended one why and when it ended. An agent whose
supervisor and watchdog are gone (kill -9) shows as stopped, "supervisor gone".
--json prints the whole board record (the same shape as status_board.json), fresh from the lock
files, whatever --all says.
--watch redraws whenever something changes, until Ctrl-C; with --json it prints one board per line.
A missing coordination dir shows an empty status and is not created.

Exit codes: 0.`,
  options: {
    json: { type: 'boolean', description: 'Print the board record as JSON' },
    watch: { type: 'boolean', description: 'Keep redrawing on changes until interrupted' },
    all: { type: 'boolean', description: 'Also list the agents of earlier runs' },
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const place = locate(ctx);
  const json = flag(ctx.args, 'json');
  const all = flag(ctx.args, 'all');
  if (flag(ctx.args, 'watch')) return watch(ctx, place, json, all);
  const board = storeExists(place) ? await withStore(place, (store) => store.board(), { readOnly: true }) : emptyBoard();
  if (json) writeJson(ctx.stdout, board);
  else writeLines(ctx.stdout, render(board, place, paintFor(ctx.stdout, ctx.env), all));
  return EXIT.ok;
}


function render(board: BoardRecord, place: Place, paint: Paint, all: boolean): string[] {
  const now = Date.now();
  const where = board.scope !== undefined ? `${redactUrl(place.target.url ?? '')}  scope ${board.scope}` : place.dir;
  const lines = [`${paint.bold('agentvisor status')}  ${where}  (at ${formatClock(board.updated_at)})`, ''];

  const { current, earlier } = groupAgents(board);
  lines.push(paint.bold(`Agents (${current.length})`), ...agentTable(current, now));
  if (earlier.length > 0) {
    if (all) lines.push('', paint.bold(`Agents of earlier runs (${earlier.length})`), ...agentTable(earlier, now));
    else lines.push(`  and ${earlier.length} agent${earlier.length === 1 ? '' : 's'} of earlier runs (status --all lists them)`);
  }

  const waiters = board.waiters ?? [];
  if (waiters.length > 0) {
    lines.push('', paint.bold(`Waiting in line (${waiters.length})`));
    lines.push(...indent(table(
      ['AGENT', 'PATHS', 'SINCE', 'BLOCKED BY'],
      waiters.map((w) => [w.agent_id, w.paths.join(' '), formatClock(w.since), w.blocked_by.join(', ') || '-']),
    )));
  }

  const locks = [...board.locks].sort((a, b) => a.file_path.localeCompare(b.file_path) || a.token - b.token);
  lines.push('', paint.bold(`Locks (${locks.length})`));
  if (locks.length) {
    lines.push(...indent(table(
      ['PATH', 'HOLDER', 'MODE', 'SINCE', 'HEARTBEAT', 'TOKEN', 'PID', 'EXPIRES'],
      locks.map((l) => [
        l.file_path, l.agent_id, l.mode, formatClock(l.timestamp), formatAge(l.heartbeat, now), String(l.token),
        l.pid === null ? '-' : String(l.pid), formatClock(l.expires_at),
      ]),
    )));
  } else lines.push('  none');

  const conflicts = board.conflicts.slice(-RECENT_CONFLICTS);
  lines.push('', paint.bold(`Recent conflicts (${conflicts.length} of ${board.conflicts.length})`));
  if (conflicts.length) {
    lines.push(...indent(table(
      ['AT', 'KIND', 'ASKED BY', 'PATH', 'HELD BY', 'LOCK PATH', 'WITNESS'],
      conflicts.map((c) => [
        formatClock(c.at ?? c.since), c.kind, c.agent_id ?? '-', c.file_path, c.locked_by ?? '-', c.lock_path ?? '-', c.witness ?? '-',
      ]),
    )));
  } else lines.push('  none');

  const pending = Object.entries(board.pending_messages).filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b));
  lines.push('', paint.bold('Pending messages'));
  lines.push(pending.length ? `  ${pending.map(([id, n]) => `${id}: ${n}`).join(', ')}` : '  none');
  return lines;
}

function agentTable(agents: [string, AgentEntry][], now: number): string[] {
  if (agents.length === 0) return ['  none'];
  return indent(table(
    ['ID', 'STATUS', 'PID', 'STARTED', 'HEARTBEAT', 'RESTARTS', 'EXIT', 'FILES', 'NOTE'],
    agents.map(([id, a]) => [
      id, a.status, a.pid === null ? '-' : String(a.pid), formatClock(a.started_at), formatAge(a.heartbeat, now),
      String(a.restarts), a.signal ?? (a.exit_code === null ? '-' : String(a.exit_code)), a.files.join(' ') || '-',
      agentNote(a, (iso) => formatClock(iso)),
    ]),
  ));
}

function indent(lines: string[]): string[] {
  return lines.map((l) => `  ${l}`);
}

async function watch(ctx: CommandContext, place: Place, json: boolean, all: boolean): Promise<number> {
  const tty = ctx.stdout.isTTY === true;
  const paint = paintFor(ctx.stdout, ctx.env);
  let store: Store | undefined;
  let watcher: FSWatcher | undefined;
  let lastKey: string | undefined;
  let queued: Promise<void> = Promise.resolve();

  const draw = async (): Promise<void> => {
    if (ctx.signal.aborted) return;
    if (!store && storeExists(place)) {
      store = await openStore(storeOptions(place));
      // The database has no files to watch: the beat redraws (a second at most behind).
      if (!place.target.url) watcher = await startWatcher(place.dir, () => void schedule());
    }
    const board = store ? await store.board() : emptyBoard();
    const key = boardContentKey(board);
    // On a terminal the ages tick, so redraw every beat; elsewhere print only real changes.
    if (key === lastKey && !(tty && !json)) return;
    lastKey = key;
    if (json) writeJsonLine(ctx.stdout, board);
    else {
      if (tty) ctx.stdout.write('\x1b[2J\x1b[H');
      writeLines(ctx.stdout, [...render(board, place, paint, all), tty ? `\n${paint.dim('watching; Ctrl-C to stop')}` : '']);
    }
  };
  const schedule = (): Promise<void> => (queued = queued.then(draw).catch((error: unknown) => {
    ctx.stderr.write(`agentvisor: status: ${(error as Error).message}\n`);
  }));

  const tick = setInterval(() => void schedule(), WATCH_TICK_MS);
  try {
    await schedule();
    await untilAborted(ctx.signal);
  } finally {
    clearInterval(tick);
    await queued;
    await watcher?.close();
    await store?.close();
  }
  return EXIT.ok;
}

async function startWatcher(dir: string, onChange: () => void): Promise<FSWatcher> {
  const { watch } = await import('chokidar');
  const watcher = watch(dir, { ignoreInitial: true, depth: 3, ignored: (path) => path.includes('/messages/.tmp') || path.endsWith('.tmp') });
  watcher.on('all', onChange);
  watcher.on('error', () => {
    // The beat redraws anyway; a watcher error (e.g. the dir removed) must not end the command.
  });
  return watcher;
}
