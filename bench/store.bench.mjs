#!/usr/bin/env node
// The coordination core against proper-lockfile, in one run, on one disk (os.tmpdir(), checked to
// be the file system of this checkout): (1) uncontended acquire+release of one path, with the
// status board's lag watched throughout; (2) the overlap decision of one new path against 1,000
// parsed globs (pure), and store.check() against 1,000 held lock files (I/O included); (3) 8
// processes contending for overlapping literal paths: holds per second and violations of mutual
// exclusion found by a witness of hold intervals, the libraries in rotated order over a few rounds
// (the same round's ratio is what a loaded machine leaves comparable). Issue 2's targets: (1) at most 0.5x
// proper-lockfile's time with the board at most 1 s behind; (2) pure decision median under 1 ms.
// Needs `npm run build` (npm run bench does it).
//   node bench/store.bench.mjs [--rounds N] [--seconds S] [--trials T] [--part 1|2|3] [--keep]

import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import lockfile from 'proper-lockfile';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(REPO, 'dist', 'index.js');
const UNCONTENDED_TARGET = 0.5;
const DECISION_TARGET_MS = 1;
const BOARD_LAG_LIMIT_MS = 1000;
const HELD_GLOBS = 1000;
const CONTENDERS = 8;
const CONTENDED_PATHS = ['src/a.ts', 'src/b.ts', 'src/c.ts'];

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) || fallback : fallback);

if (!existsSync(DIST)) {
  console.error(`no ${DIST}: run npm run build first`);
  process.exit(2);
}
const { openStore, overlapWitness, parsePattern } = await import(DIST);

const now = () => process.hrtime.bigint();
const msSince = (start) => Number(now() - start) / 1e6;

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.ceil(at)] - sorted[low]) * (at - low);
}

const fmt = (x, digits = 1) => x.toFixed(digits).padStart(9);

// ------------------------------------------------------------------ a contender (child process)

if (argv[0] === '--contender') {
  await contender(...argv.slice(1));
  process.exit(0);
}

// A process that has read none of the lock files yet (a CLI `check`, the guard): its first check.
if (argv[0] === '--cold-check') {
  const store = await openStore({ dir: argv[1] });
  const started = now();
  await store.listLocks();
  const times = [msSince(started)];
  for (let r = 0; r < 2; r++) {
    const start = now();
    await store.check('newcomer', [{ path: argv[2], mode: 'exclusive' }]);
    times.push(msSince(start));
  }
  process.stdout.write(`${JSON.stringify(times)}\n`);
  process.exit(0);
}

/**
 * One of the contending processes: waits for `go`, then until the deadline takes a random literal
 * path, appends enter/exit lines (CLOCK_MONOTONIC ns) to the witness while holding it, releases.
 */
async function contender(kind, id, root, witness, goFile, seconds) {
  const owner = { pid: process.pid, leaseMs: null };
  const store = kind.startsWith('agentvisor') ? await openStore({ dir: join(root, 'locks') }) : null;
  let state = (Number(id) + 1) * 2654435761 >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const take = async (path) => {
    if (store) {
      const result = await store.acquire({ agentId: `c${id}`, paths: [{ path, mode: 'exclusive' }], owner, wait: true, timeoutMs: 30_000 });
      if (!result.granted) throw new Error(`c${id}: ${path} not granted: ${JSON.stringify(result)}`);
      return () => store.release(`c${id}`, [path]);
    }
    // proper-lockfile waits by retrying with back-off; these are its documented knobs.
    return lockfile.lock(join(root, path), { retries: { retries: 100_000, minTimeout: 1, maxTimeout: 20, factor: 1.3 }, stale: 30_000 });
  };
  process.stdout.write('ready\n');
  while (!existsSync(goFile)) await new Promise((resolve) => setTimeout(resolve, 5));
  const deadline = Date.now() + Number(seconds) * 1000;
  // CPU from the start signal on (module loading and the store's opening are not the contention's).
  const cpuAtGo = process.cpuUsage();
  let holds = 0;
  while (Date.now() < deadline) {
    const path = CONTENDED_PATHS[Math.floor(random() * CONTENDED_PATHS.length)];
    const release = await take(path);
    appendFileSync(witness, `enter ${id} ${process.hrtime.bigint()} ${path}\n`);
    // Yield once while holding, so that a broken lock would show as overlapping holds.
    await new Promise((resolve) => setImmediate(resolve));
    appendFileSync(witness, `exit ${id} ${process.hrtime.bigint()} ${path}\n`);
    await release();
    holds++;
  }
  await store?.close();
  const cpu = process.cpuUsage(cpuAtGo);
  process.stdout.write(`holds ${holds} cpu ${Math.round((cpu.user + cpu.system) / 1000)}\n`);
}

// ------------------------------------------------------------------ setup

const root = mkdtempSync(join(tmpdir(), 'agentvisor-store-bench-'));
const sameDisk = statSync(root).dev === statSync(REPO).dev;
const rounds = option('--rounds', 30);
const seconds = option('--seconds', 4);
const trials = option('--trials', 3);
const keep = argv.includes('--keep');
const started = Date.now();
let failed = false;

console.log(`coordination core vs proper-lockfile, node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`disk: ${root} (${sameDisk ? 'same file system as' : 'NOT the file system of'} ${REPO}); both libraries work in it`);

// ------------------------------------------------------------------ 1. uncontended

/**
 * How stale status_board.json is now: it is rebuilt inside the critical section, so it shows every
 * mutation up to its updated_at; it is stale by the time since the first operation that ended
 * after that (0 when none has). `ops` holds [start, end] wall times of the operations, in order.
 */
function boardStalenessMs(dir, ops) {
  let updated;
  try {
    updated = Date.parse(JSON.parse(readFileSync(join(dir, 'status_board.json'), 'utf8')).updated_at);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
  const missed = ops.find(([, end]) => end > updated);
  // Conservative: counted from the start of the first operation the board may not show.
  return missed ? Date.now() - missed[0] : 0;
}

async function uncontended() {
  const BATCH = 200;
  const avDir = join(root, 'uncontended', 'locks');
  const plFile = join(root, 'uncontended', 'src', 'a.ts');
  mkdirSync(join(root, 'uncontended', 'src'), { recursive: true });
  writeFileSync(plFile, '');
  const store = await openStore({ dir: avDir });
  const owner = { pid: process.pid, leaseMs: null };
  const request = { agentId: 'bench', paths: [{ path: 'src/a.ts', mode: 'exclusive' }], owner };
  const cases = {
    agentvisor: async () => {
      const result = await store.acquire(request);
      if (!result.granted) throw new Error('agentvisor: not granted');
      await store.release('bench', ['src/a.ts']);
    },
    'proper-lockfile': async () => {
      await lockfile.lock(plFile);
      await lockfile.unlock(plFile);
    },
  };
  const samples = { agentvisor: [], 'proper-lockfile': [] };
  const roundRatios = [];
  // CPU per operation (user + system, all threads: proper-lockfile's fs calls run on libuv's pool).
  const cpu = { agentvisor: [], 'proper-lockfile': [] };
  const lags = [];
  const ops = [];
  for (let round = -1; round < rounds; round++) {
    // Interleaved, in alternating order, so that the machine's noise lands on both alike.
    const order = round % 2 ? ['agentvisor', 'proper-lockfile'] : ['proper-lockfile', 'agentvisor'];
    const before = { agentvisor: samples.agentvisor.length, 'proper-lockfile': samples['proper-lockfile'].length };
    for (const name of order) {
      const cpuBefore = process.cpuUsage();
      for (let i = 0; i < BATCH; i++) {
        const wall = Date.now();
        const start = now();
        await cases[name]();
        if (round >= 0) samples[name].push(msSince(start) * 1000);
        if (name !== 'agentvisor') continue;
        ops.push([wall, Date.now()]);
        // Outside the timed part: how far behind is the board while the store is busy?
        if (round >= 0 && i % 25 === 24) lags.push(boardStalenessMs(avDir, ops.slice(-2000)));
      }
      const used = process.cpuUsage(cpuBefore);
      if (round >= 0) cpu[name].push((used.user + used.system) / BATCH);
    }
    if (round >= 0) {
      const mid = (name) => quantile(samples[name].slice(before[name]), 0.5);
      roundRatios.push(mid('agentvisor') / mid('proper-lockfile'));
    }
  }
  const endLag = boardStalenessMs(avDir, ops.slice(-2000));
  // The last release is on the board within the second, without anyone flushing it: a board
  // rebuilt after it (the rebuild runs in a later critical section) shows no lock.
  const lastRelease = ops.at(-1)[1];
  let caughtUp = null;
  while (Date.now() - lastRelease < 2 * BOARD_LAG_LIMIT_MS) {
    const board = JSON.parse(readFileSync(join(avDir, 'status_board.json'), 'utf8'));
    if (Date.parse(board.updated_at) >= lastRelease - 1 && board.locks.length === 0) {
      caughtUp = Math.max(0, Date.parse(board.updated_at) - lastRelease);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await store.close();

  const av = samples.agentvisor;
  const pl = samples['proper-lockfile'];
  const ratio = quantile(av, 0.5) / quantile(pl, 0.5);
  const meanRatio = av.reduce((a, b) => a + b, 0) / pl.reduce((a, b) => a + b, 0);
  console.log('');
  console.log(`1. uncontended acquire+release of one path: ${rounds} rounds x ${BATCH}, interleaved (µs per acquire+release)`);
  console.log(`${''.padEnd(32)}${'median'.padStart(9)}${'p90'.padStart(9)}${'mean'.padStart(9)}`);
  for (const [name, values] of Object.entries(samples)) {
    const label = name === 'agentvisor' ? 'agentvisor FileStore' : 'proper-lockfile lock+unlock';
    console.log(`${label.padEnd(32)}${fmt(quantile(values, 0.5))}${fmt(quantile(values, 0.9))}${fmt(values.reduce((a, b) => a + b, 0) / values.length)}`);
  }
  const maxLag = Math.max(...lags, endLag);
  const lagOk = maxLag <= BOARD_LAG_LIMIT_MS && caughtUp !== null && caughtUp <= BOARD_LAG_LIMIT_MS;
  console.log(`ratio agentvisor / proper-lockfile: of the medians ${ratio.toFixed(2)}x, of the means ${meanRatio.toFixed(2)}x; per round (median ratio of each round's two batches): median ${quantile(roundRatios, 0.5).toFixed(2)}x, range ${Math.min(...roundRatios).toFixed(2)}-${Math.max(...roundRatios).toFixed(2)}x`);
  const cpuRatio = quantile(cpu.agentvisor, 0.5) / quantile(cpu['proper-lockfile'], 0.5);
  console.log(`CPU per acquire+release (median of the batches): agentvisor ${quantile(cpu.agentvisor, 0.5).toFixed(1)} µs, proper-lockfile ${quantile(cpu['proper-lockfile'], 0.5).toFixed(1)} µs: ${cpuRatio.toFixed(2)}x`);
  console.log(`target at most ${UNCONTENDED_TARGET}x (ratio of the medians): ${ratio <= UNCONTENDED_TARGET ? 'met' : 'MISSED'}`);
  console.log(`board staleness while running (${lags.length} samples, and once at the end): median ${quantile(lags, 0.5).toFixed(0)} ms, p90 ${quantile(lags, 0.9).toFixed(0)} ms, max ${maxLag.toFixed(0)} ms; the board rebuilt after the last release (no lock) was written ${caughtUp ?? 'NEVER'} ms after it (limit ${BOARD_LAG_LIMIT_MS} ms): ${lagOk ? 'ok' : 'TOO STALE'}`);
  if (!lagOk) failed = true;
}

// ------------------------------------------------------------------ 2. 1,000 held globs

/** 1,000 globs of the shapes agents take, none of which overlaps the probes below. */
function heldGlobs() {
  const shapes = [
    (i) => `pkg${i}/src/**`,
    (i) => `pkg${i}/**/*.ts`,
    (i) => `services/s${i}/{api,web}/**`,
    (i) => `lib/mod${i}/[a-m]*.py`,
    (i) => `docs/**/page${i}.md`,
    (i) => `gen/v${i}/*.rs`,
    (i) => `test/unit${i}/**/*.test.ts`,
    (i) => `tools/t${i}/?*.sh`,
  ];
  return Array.from({ length: HELD_GLOBS }, (_, i) => shapes[i % shapes.length](i));
}

const PROBES = ['app/api/users.ts', 'src/**/auth.ts', 'pkg1000/**'];

async function heldThousand() {
  const globs = heldGlobs();
  const parsed = globs.map((g) => parsePattern(g));
  console.log('');
  console.log(`2. one new path against ${HELD_GLOBS} held globs (ms per whole decision)`);
  console.log(`${''.padEnd(54)}${'first'.padStart(9)}${'median'.padStart(9)}${'p90'.padStart(9)}`);
  let worstMedian = 0;
  for (const probe of PROBES) {
    const pattern = parsePattern(probe);
    const times = [];
    for (let r = 0; r < 201; r++) {
      const start = now();
      let overlaps = 0;
      for (const held of parsed) if (overlapWitness(pattern, held) !== null) overlaps++;
      times.push(msSince(start));
      if (overlaps !== 0) throw new Error(`${probe} overlaps ${overlaps} held globs: the bench expects none`);
    }
    const median = quantile(times.slice(1), 0.5);
    worstMedian = Math.max(worstMedian, median);
    console.log(`${`pure overlapWitness: ${probe}`.padEnd(54)}${fmt(times[0], 3)}${fmt(median, 3)}${fmt(quantile(times.slice(1), 0.9), 3)}`);
  }

  // The same globs as real lock files: 50 agents holding 20 each.
  const dir = join(root, 'held', 'locks');
  const store = await openStore({ dir });
  const owner = { pid: process.pid, leaseMs: 3_600_000 };
  for (let a = 0; a < 50; a++) {
    const paths = globs.slice(a * 20, a * 20 + 20).map((path) => ({ path, mode: a % 3 ? 'exclusive' : 'shared' }));
    const result = await store.acquire({ agentId: `held-${a}`, paths, owner });
    if (!result.granted) throw new Error(`setup: held-${a} was refused`);
  }
  await store.flushBoard();
  for (const probe of PROBES) {
    const times = [];
    // A fresh store each time would add module-free setup only; a process's store keeps its caches.
    for (let r = 0; r < 31; r++) {
      const start = now();
      const conflicts = await store.check('newcomer', [{ path: probe, mode: 'exclusive' }]);
      times.push(msSince(start));
      if (conflicts.length !== 0) throw new Error(`check ${probe}: unexpected conflicts`);
    }
    console.log(`${`store.check(), 1,000 lock files: ${probe}`.padEnd(54)}${fmt(times[0], 3)}${fmt(quantile(times.slice(1), 0.5), 3)}${fmt(quantile(times.slice(1), 0.9), 3)}`);
  }
  await store.close();
  const cold = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--cold-check', dir, PROBES[0]], { encoding: 'utf8' }));
  console.log(`in a fresh process (a CLI command, the guard): listLocks() ${cold[0].toFixed(1)} ms (reads every file), then check() ${cold[1].toFixed(1)} ms (compiles every held glob), again ${cold[2].toFixed(1)} ms`);
  console.log(`pure decision, worst median over the probes: ${worstMedian.toFixed(3)} ms (target under ${DECISION_TARGET_MS} ms): ${worstMedian < DECISION_TARGET_MS ? 'met' : 'MISSED'}`);
  console.log('store.check() reads every lock file and judges its staleness (for information; proper-lockfile has no globs to compare with)');
}

// ------------------------------------------------------------------ 3. 8 contending processes

function violations(witness) {
  const open = new Map();
  const holds = [];
  for (const line of readFileSync(witness, 'utf8').split('\n')) {
    if (!line) continue;
    const [kind, id, at, path] = line.split(' ');
    if (kind === 'enter') open.set(id, { id, path, enter: BigInt(at) });
    else {
      const hold = open.get(id);
      open.delete(id);
      holds.push({ ...hold, exit: BigInt(at) });
    }
  }
  let found = open.size; // an enter without its exit is a broken run
  const byPath = new Map();
  for (const hold of holds) byPath.set(hold.path, [...(byPath.get(hold.path) ?? []), hold]);
  for (const list of byPath.values()) {
    list.sort((a, b) => (a.enter < b.enter ? -1 : 1));
    // Sorted by entry: a hold overlaps an earlier one iff it enters before the latest exit so far.
    let latest = null;
    for (const hold of list) {
      if (latest && hold.enter < latest.exit && hold.id !== latest.id) found++;
      if (!latest || hold.exit > latest.exit) latest = hold;
    }
  }
  return { holds: holds.length, violations: found };
}

let contests = 0;

async function contend(kind) {
  // A fresh dir per contest: a store, a witness and a start signal of its own.
  const base = join(root, `contend-${++contests}-${kind}`);
  mkdirSync(join(base, 'src'), { recursive: true });
  for (const path of CONTENDED_PATHS) writeFileSync(join(base, path), '');
  const witness = join(base, 'witness.log');
  const go = join(base, 'go');
  writeFileSync(witness, '');
  const children = Array.from({ length: CONTENDERS }, (_, id) => {
    const env = { ...process.env, AGENTVISOR_PORTABLE: kind === 'agentvisor-portable' ? '1' : '0' };
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--contender', kind, String(id), base, witness, go, String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    const done = new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${kind} contender ${id} exited ${code}`)))));
    return { child, out: () => out, done };
  });
  const deadline = Date.now() + 30_000;
  while (!children.every((c) => c.out().includes('ready'))) {
    if (Date.now() > deadline) throw new Error('contenders never got ready');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  writeFileSync(go, '');
  const outputs = await Promise.all(children.map((c) => c.done));
  const perProcess = outputs.map((o) => Number(/holds (\d+)/.exec(o)?.[1] ?? 0));
  const cpuMs = outputs.reduce((sum, o) => sum + Number(/cpu (\d+)/.exec(o)?.[1] ?? 0), 0);
  const { holds, violations: bad } = violations(witness);
  return { holds, perSecond: holds / seconds, violations: bad, min: Math.min(...perProcess), max: Math.max(...perProcess), cpuPerHold: cpuMs / Math.max(1, holds) };
}

async function contended() {
  const kinds = ['agentvisor', 'agentvisor-portable', 'proper-lockfile'];
  console.log('');
  console.log(`3. ${CONTENDERS} processes contending for ${CONTENDED_PATHS.length} literal paths, ${seconds} s per library and round, ${trials} rounds, the order rotated each round (proper-lockfile cannot lock globs: literal paths for both, one lock file per path)`);
  console.log(`${'round'.padEnd(6)}${''.padEnd(26)}${'holds/s'.padStart(9)}${'holds'.padStart(9)}${'min/proc'.padStart(9)}${'max/proc'.padStart(9)}${'violations'.padStart(11)}${'CPU ms/hold'.padStart(12)}`);
  const rounds = [];
  for (let t = 0; t < trials; t++) {
    const results = {};
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[(i + t) % kinds.length];
      const r = await contend(kind);
      results[kind] = r;
      console.log(`${String(t + 1).padEnd(6)}${kind.padEnd(26)}${fmt(r.perSecond, 0)}${fmt(r.holds, 0)}${fmt(r.min, 0)}${fmt(r.max, 0)}${String(r.violations).padStart(11)}${fmt(r.cpuPerHold, 2).padStart(12)}`);
      if (r.violations > 0) failed = true;
    }
    rounds.push(results);
  }
  const ratios = (kind) => rounds.map((r) => r[kind].perSecond / r['proper-lockfile'].perSecond);
  const summary = (kind) => {
    const each = ratios(kind);
    return `${quantile(each, 0.5).toFixed(2)}x (rounds: ${each.map((x) => x.toFixed(2)).join(', ')})`;
  };
  const perSecond = (kind) => quantile(rounds.map((r) => r[kind].perSecond), 0.5).toFixed(0);
  console.log(`median holds/s: agentvisor (Linux) ${perSecond('agentvisor')}, agentvisor (AGENTVISOR_PORTABLE=1) ${perSecond('agentvisor-portable')}, proper-lockfile ${perSecond('proper-lockfile')}`);
  console.log(`ratio of holds/s to proper-lockfile in the same round, median: agentvisor (Linux) ${summary('agentvisor')}, agentvisor (AGENTVISOR_PORTABLE=1) ${summary('agentvisor-portable')} (target at least 1.0x for both)`);
  console.log('witness: CLOCK_MONOTONIC enter/exit lines appended by each holder; min/max per process show fairness; CPU: user + system of the contenders from the start signal on');
}

const parts = argv.includes('--part') ? [Number(argv[argv.indexOf('--part') + 1])] : [1, 2, 3];
try {
  if (parts.includes(1)) await uncontended();
  if (parts.includes(2)) await heldThousand();
  if (parts.includes(3)) await contended();
} finally {
  if (!keep) rmSync(root, { recursive: true, force: true });
}
console.log('');
console.log(`took ${((Date.now() - started) / 1000).toFixed(0)} s; load at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('Reproduce:');
console.log('  npm run bench -- store                  # builds, then runs this file');
console.log('  npm run build && node bench/store.bench.mjs [--rounds N] [--seconds S] [--trials T] [--part 1|2|3] [--keep]');
process.exit(failed ? 1 : 0);
