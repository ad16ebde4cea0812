// Named fault points: AGENTVISOR_FAULTS makes the real code path SIGKILL itself, pause, or fail
// with a chosen errno at a chosen step, so tests can crash exactly where it hurts. Parsed once;
// a no-op when unset.
//
//   AGENTVISOR_FAULTS="acquire.after-lock-file:2=kill,acquire.in-mutex=pause,lock-file.write=errno:ENOSPC"
//   name[:N]=action   N: act on the Nth hit only (default: every hit)
//   kill              SIGKILL this process
//   pause             block synchronously until the file named by AGENTVISOR_FAULT_RELEASE exists
//                     (forever without it)
//   gate              the same, then remove that file: the next gate blocks until it is made again
//   (pause and gate first append `<name> <pid>` to <release>.paused, so a test knows where it stands)
//   errno:CODE        throw an Error with `code` CODE, as a failing fs call would

import { appendFileSync, existsSync, rmSync } from 'node:fs';

type FaultAction = { kind: 'kill' } | { kind: 'pause' } | { kind: 'gate' } | { kind: 'errno'; code: string };

interface FaultRule {
  name: string;
  nth: number | null;
  action: FaultAction;
}

function parseAction(text: string): FaultAction | null {
  if (text === 'kill') return { kind: 'kill' };
  if (text === 'pause') return { kind: 'pause' };
  if (text === 'gate') return { kind: 'gate' };
  const errno = /^errno:([A-Z0-9]+)$/.exec(text);
  return errno?.[1] ? { kind: 'errno', code: errno[1] } : null;
}

export function parseFaults(spec: string | undefined): FaultRule[] {
  if (!spec) return [];
  const rules: FaultRule[] = [];
  for (const item of spec.split(',')) {
    const match = /^\s*([\w.-]+)(?::(\d+))?=(.+?)\s*$/.exec(item);
    const action = match?.[3] ? parseAction(match[3]) : null;
    if (!match?.[1] || !action) throw new Error(`AGENTVISOR_FAULTS: cannot parse "${item}" (name[:N]=kill|pause|gate|errno:CODE)`);
    rules.push({ name: match[1], nth: match[2] ? Number(match[2]) : null, action });
  }
  return rules;
}

const rules = parseFaults(process.env.AGENTVISOR_FAULTS);
const hits = new Map<string, number>();

/** Block the thread without spinning the CPU hard: the point is to hold whatever we hold. */
function pauseUntilReleased(): void {
  const releaseFile = process.env.AGENTVISOR_FAULT_RELEASE;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (!releaseFile || !existsSync(releaseFile)) Atomics.wait(cell, 0, 0, 2);
}

/** Say where this process stands (`<release>.paused`, one line per stop), then block. */
function stopAt(name: string, consume: boolean): void {
  const releaseFile = process.env.AGENTVISOR_FAULT_RELEASE;
  if (releaseFile) appendFileSync(`${releaseFile}.paused`, `${name} ${process.pid}\n`);
  pauseUntilReleased();
  if (consume && releaseFile) rmSync(releaseFile, { force: true });
}

function act(name: string, action: FaultAction): void {
  switch (action.kind) {
    case 'kill':
      process.kill(process.pid, 'SIGKILL');
      // SIGKILL is delivered before kill() returns to a single-threaded caller; block just in case.
      pauseUntilReleased();
      return;
    case 'pause':
      stopAt(name, false);
      return;
    case 'gate':
      stopAt(name, true);
      return;
    case 'errno': {
      const error = new Error(`${action.code}: injected fault at ${name}`) as NodeJS.ErrnoException;
      error.code = action.code;
      error.syscall = name;
      throw error;
    }
  }
}

/** A named step. Does nothing unless AGENTVISOR_FAULTS names it. */
export function fault(name: string): void {
  if (rules.length === 0) return;
  const count = (hits.get(name) ?? 0) + 1;
  hits.set(name, count);
  for (const rule of rules) {
    if (rule.name === name && (rule.nth === null || rule.nth === count)) act(name, rule.action);
  }
}
