// When one store rewrites status_board.json (board.ts renders it): inside a section when it is
// orphaned, on a short timer after a mutation, on flush, and at process exit. A board that another
// process wrote meanwhile counts: the timer writes only when the oldest of this store's mutations
// that no board shows yet is due (under contention every process mutates all the time, and each
// writing its own board four times a second added a section and a board build per process).

import { existsSync } from 'node:fs';
import { buildBoard, writeBoard } from './board.js';
import { readCounters, writeCounters } from './counters.js';
import { instant, readLiveLocks } from './live-locks.js';
import type { Section, StoreContext } from './section.js';

/** The store's way into its critical section (FileStore.section). */
export type SectionRunner = <T, A>(body: (s: Section) => T, options: { create: boolean; absent: A; waitMs?: number }) => Promise<T | A>;

/** Builds of the exit-time board, each one only when a mutation slipped in during the last rename. */
const UNLOCKED_BOARD_ATTEMPTS = 5;
/** A board behind for longer than this was left behind by a process that died: any section fixes it. */
const BOARD_ORPHANED_MS = 1000;
/** Mutations remembered as not yet shown (the oldest matters; a bound for a store that never flushes). */
const MAX_UNSHOWN = 1024;

/** Writers with a board write pending, flushed when the process ends. */
const pendingBoards = new Set<BoardWriter>();
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('beforeExit', () => {
    for (const writer of pendingBoards) void writer.flush().catch(() => undefined);
  });
  process.on('exit', () => {
    for (const writer of pendingBoards) writer.flushUnlocked();
  });
}

export class BoardWriter {
  private readonly ctx: StoreContext;
  private readonly lagMs: number;
  private readonly section: SectionRunner;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** This store's mutations since it last wrote a board: the generation each made, and when (monotonic ms). */
  private unshown: { generation: number; mono: number }[] = [];

  constructor(ctx: StoreContext, lagMs: number, section: SectionRunner) {
    this.ctx = ctx;
    this.lagMs = lagMs;
    this.section = section;
  }

  /** At the end of every section, counters written: see that the board follows. */
  afterSection(s: Section): void {
    const orphaned = s.counters.board_generation < s.counters.generation && s.now.mono - s.counters.board_mono > BOARD_ORPHANED_MS;
    const written = orphaned && this.writeInside(s);
    if (written || !s.changed) return;
    const last = this.unshown.at(-1);
    // At the bound, the newest joins the last one: shown only with it, due with the older of the two.
    if (last && this.unshown.length >= MAX_UNSHOWN) last.generation = s.counters.generation;
    else this.unshown.push({ generation: s.counters.generation, mono: s.now.mono });
    this.schedule(this.lagMs);
  }

  /**
   * The timer's turn: done if a board written since (by any process) shows all our mutations;
   * later if the oldest one none shows is not due yet; else write it now.
   */
  private async onTimer(): Promise<void> {
    const counters = readCounters(this.ctx.layout.counters);
    if (counters) this.unshown = this.unshown.filter((m) => m.generation > counters.board_generation);
    const oldest = this.unshown[0];
    if (counters && !oldest) {
      pendingBoards.delete(this);
      return;
    }
    const wait = oldest ? oldest.mono + this.lagMs - this.ctx.clock.mono() : 0;
    if (wait > 0) this.schedule(wait);
    else await this.flush();
  }

  async flush(): Promise<void> {
    this.clearTimer();
    if (!pendingBoards.has(this)) return this.flushOthers();
    const wrote = await this.section((s) => {
      if (s.counters.board_generation >= s.counters.generation && !s.changed && existsSync(s.layout.board)) return true;
      return this.writeInside(s);
    }, { create: false, absent: true });
    if (wrote) pendingBoards.delete(this);
    else this.schedule(this.lagMs);
  }

  /**
   * Nothing of ours is pending: write the board only if it looks left behind (missing, or behind
   * the counters for over a second, its writer gone), and try the mutex once: whoever holds it
   * now does the same check on the way out. A stopped holder never holds up a caller that changed
   * nothing.
   */
  private async flushOthers(): Promise<void> {
    const { layout } = this.ctx;
    if (!existsSync(layout.dir)) return;
    const counters = readCounters(layout.counters);
    const behind = !counters || counters.board_generation < counters.generation;
    const stale = !counters || this.ctx.clock.mono() - counters.board_mono > BOARD_ORPHANED_MS;
    if (existsSync(layout.board) && !(behind && stale)) return;
    await this.section((s) => this.writeInside(s), { create: false, absent: true, waitMs: 0 }).catch(() => undefined);
  }

  /** Regenerate the board inside the critical section: it then shows every committed mutation. */
  private writeInside(s: Section): boolean {
    try {
      if (s.needsPersist) s.persist();
      const locks = s.live.map((l) => l.record);
      writeBoard(s.layout, buildBoard(s.layout, locks, { nowIso: s.nowIso, now: s.now, facts: s.ctx.facts }));
      s.counters.board_generation = s.counters.generation;
      s.counters.board_mono = s.now.mono;
      writeCounters(s.layout.counters, s.counters);
      pendingBoards.delete(this);
      this.unshown = [];
      this.clearTimer();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The exit path, where nothing async can run: build the board without the mutex. Whoever commits
   * a mutation after ours owes a board that shows ours too (written inside the mutex, or by the
   * orphan rule), so ours is written only while no mutation came after the counters we read:
   * checked once more just before the rename (a newer board is never replaced by ours) and after
   * it (one that came in between may have been replaced: build again, now including it).
   */
  flushUnlocked(): void {
    pendingBoards.delete(this);
    this.clearTimer();
    const { layout, clock, facts } = this.ctx;
    if (!existsSync(layout.dir)) return;
    for (let attempt = 0; attempt < UNLOCKED_BOARD_ATTEMPTS; attempt++) {
      try {
        const before = readCounters(layout.counters)?.generation;
        // Unreadable (being written this very moment, or gone): look again.
        if (before === undefined) continue;
        const current = () => readCounters(layout.counters)?.generation === before;
        const now = instant(clock);
        const board = buildBoard(layout, readLiveLocks(layout, clock, facts), { nowIso: new Date(now.wall).toISOString(), now, facts });
        if (!writeBoard(layout, board, current) || current()) return;
      } catch {
        return;
      }
    }
  }

  /** Flush what is pending; after this nothing is scheduled again. */
  async close(): Promise<void> {
    if (pendingBoards.has(this)) await this.flush().catch(() => undefined);
    this.clearTimer();
    pendingBoards.delete(this);
    this.closed = true;
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    pendingBoards.add(this);
    hookExit();
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.onTimer().catch(() => undefined);
    }, ms);
    // Exit hooks flush what the timer would have: the timer must not keep a process alive.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
