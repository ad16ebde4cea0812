// The independent witness of mutual exclusion: hold intervals that contenders append to a file
// (`enter|exit agent monotonic-ns paths`), and a checker that knows overlap from a hand-written
// table of sample files, not from the glob engine under test.

// Which sample files each pattern covers; two patterns overlap if they share one.
export const UNIVERSE: Record<string, string[]> = {
  'src/a.ts': ['src/a.ts'],
  'src/b.ts': ['src/b.ts'],
  'src/*.ts': ['src/a.ts', 'src/b.ts'],
  'src/[ab].ts': ['src/a.ts', 'src/b.ts'],
  'src/**': ['src/a.ts', 'src/b.ts', 'src/c.js', 'src/d/e.ts'],
  'src/d/e.ts': ['src/d/e.ts'],
  'lib/x.js': ['lib/x.js'],
  'lib/**': ['lib/x.js', 'lib/y.js', 'lib/z/x.js'],
  '**/x.js': ['lib/x.js', 'lib/z/x.js'],
  '**/*.js': ['src/c.js', 'lib/x.js', 'lib/y.js', 'lib/z/x.js'],
  'docs/{a,b}.md': ['docs/a.md', 'docs/b.md'],
  'docs/a.md': ['docs/a.md'],
};
export const POOL = Object.keys(UNIVERSE);

export interface Hold {
  agent: string;
  enter: bigint;
  exit: bigint;
  paths: { path: string; mode: 'exclusive' | 'shared' }[];
}

/** The holds in a witness file's text; an `enter` without its `exit` is an error. */
export function readHolds(text: string): Hold[] {
  const open = new Map<string, Hold>();
  const holds: Hold[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [kind, agent, at, ...rest] = line.split(' ');
    const paths = JSON.parse(rest.join(' ')) as Hold['paths'];
    if (kind === 'enter') open.set(agent!, { agent: agent!, enter: BigInt(at!), exit: -1n, paths });
    else {
      const hold = open.get(agent!);
      if (!hold) throw new Error(`exit without enter: ${line}`);
      hold.exit = BigInt(at!);
      holds.push(hold);
      open.delete(agent!);
    }
  }
  if (open.size > 0) throw new Error(`holds never exited: ${[...open.keys()].join(', ')}`);
  return holds;
}

export function conflicting(a: Hold, b: Hold): boolean {
  return a.paths.some((p) =>
    b.paths.some((q) => (p.mode === 'exclusive' || q.mode === 'exclusive') && UNIVERSE[p.path]!.some((f) => UNIVERSE[q.path]!.includes(f))),
  );
}

/** Conflicting holds of different agents that overlap in time. */
export function violations(holds: Hold[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < holds.length; i++) {
    for (let j = i + 1; j < holds.length; j++) {
      const a = holds[i]!;
      const b = holds[j]!;
      if (a.agent === b.agent) continue;
      if (a.enter < b.exit && b.enter < a.exit && conflicting(a, b)) found.push(`${a.agent} ${JSON.stringify(a.paths)} with ${b.agent} ${JSON.stringify(b.paths)}`);
    }
  }
  return found;
}
