// What the overlap search remembers per product state: best cost so far and how it was reached.

/** What the search knows of each product state: its best cost so far, and how it was reached. */
export interface Table {
  /** -1 when the state has not been reached. */
  cost(key: number): number;
  reach(key: number, cost: number, parent: number, cp: number): void;
  /** -1 for the start. */
  parent(key: number): number;
  via(key: number): number;
}

// Product states up to this many live in shared typed arrays, reused across searches and marked
// per search with a generation number, so a search allocates nothing: most decisions take ~1 µs.
export const MAX_ARRAY_STATES = 1 << 18;

export class ArrayTable implements Table {
  private static shared = new ArrayTable(1024);
  private generation = 0;
  private stamps: Int32Array;
  private costs: Int32Array;
  private parents: Int32Array;
  private vias: Int32Array;

  private constructor(size: number) {
    this.stamps = new Int32Array(size);
    this.costs = new Int32Array(size);
    this.parents = new Int32Array(size);
    this.vias = new Int32Array(size);
  }

  static take(size: number): ArrayTable {
    if (ArrayTable.shared.stamps.length < size) ArrayTable.shared = new ArrayTable(Math.max(size, ArrayTable.shared.stamps.length * 2));
    const table = ArrayTable.shared;
    if (++table.generation === 0x7fffffff) {
      table.stamps.fill(0);
      table.generation = 1;
    }
    return table;
  }

  cost(key: number): number {
    return this.stamps[key] === this.generation ? this.costs[key]! : -1;
  }

  reach(key: number, cost: number, parent: number, cp: number): void {
    this.stamps[key] = this.generation;
    this.costs[key] = cost;
    this.parents[key] = parent;
    this.vias[key] = cp;
  }

  parent(key: number): number {
    return this.parents[key]!;
  }

  via(key: number): number {
    return this.vias[key]!;
  }
}

export class MapTable implements Table {
  private readonly entries = new Map<number, { cost: number; parent: number; cp: number }>();

  cost(key: number): number {
    return this.entries.get(key)?.cost ?? -1;
  }

  reach(key: number, cost: number, parent: number, cp: number): void {
    this.entries.set(key, { cost, parent, cp });
  }

  parent(key: number): number {
    return this.entries.get(key)!.parent;
  }

  via(key: number): number {
    return this.entries.get(key)!.cp;
  }
}
