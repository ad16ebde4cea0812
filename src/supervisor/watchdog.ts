// The watchdog process: started detached by the supervisor with a pipe on its stdin. The supervisor
// names each agent's process group on it (`group <pgid>`) and says `bye` when it ends cleanly. If
// the pipe closes without `bye` (the supervisor was SIGKILLed), it SIGKILLs every group it was told
// about and every process carrying the run's marker, then exits: it never outlives its duty.
// Kept tiny: node built-ins and kill-tree only. argv: <marker key>.

import { findTree, signalTree } from './kill-tree.js';

const markerKey = process.argv[2];
const groups = new Set<number>();
let clean = false;
let pending = '';

function onLine(line: string): void {
  const [word, arg] = line.trim().split(' ');
  if (word === 'group' && arg) groups.add(Number(arg));
  else if (word === 'ungroup' && arg) groups.delete(Number(arg));
  else if (word === 'bye') clean = true;
}

async function killEverything(): Promise<void> {
  const marker = markerKey ? { key: markerKey } : null;
  // A process may fork while we kill: sweep until a pass finds nothing, for at most two seconds.
  const deadline = Date.now() + 2_000;
  for (;;) {
    for (const pgid of groups) signalTree(pgid, null, 'SIGKILL');
    signalTree(null, marker, 'SIGKILL');
    const left = [...groups].flatMap((pgid) => findTree(pgid, null)).concat(findTree(null, marker));
    if (left.length === 0 || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Signals that reach our group must not kill us before we have done our job (we run in our own
// session, but a careless `kill 0` or a terminal hang-up could still reach us).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  let newline = pending.indexOf('\n');
  while (newline >= 0) {
    onLine(pending.slice(0, newline));
    pending = pending.slice(newline + 1);
    newline = pending.indexOf('\n');
  }
});
process.stdin.on('error', () => undefined);
process.stdin.on('close', () => {
  if (clean) process.exit(0);
  void killEverything().then(() => process.exit(0));
});
