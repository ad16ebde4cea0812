#!/usr/bin/env node
// The platform layer, Linux paths beside the portable ones (AGENTVISOR_PORTABLE=1, as on macOS),
// in one run: a pid's liveness (one pid; 20 pids), the leftover sweep's snapshot of every process,
// the boot identity, and an uncontended pass through the store's mutex (the same socket-file chain
// for both, but the portable refusal check differs). Needs `npm run build`.
//   node bench/platform.bench.mjs [--rounds N]

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
if (!existsSync(join(DIST, 'platform', 'liveness.js'))) {
  console.error('no dist/platform: run npm run build first');
  process.exit(2);
}
const liveness = await import(join(DIST, 'platform', 'liveness.js'));
const processes = await import(join(DIST, 'platform', 'processes.js'));
const boot = await import(join(DIST, 'platform', 'boot.js'));
const { DirMutex } = await import(join(DIST, 'core', 'fs-store', 'mutex.js'));

const argv = process.argv.slice(2);
const rounds = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : 30;
const CONTENDERS = 8;
const CONTENDED_MS = 2000;

// A contender of the bare mutex: empty sections on `dir` until `go` plus CONTENDED_MS; prints its count.
if (argv[0] === '--mutex-contender') {
  const [, dir, go] = argv;
  const mutex = new DirMutex(dir);
  await mutex.run(() => undefined);
  process.stdout.write('ready\n');
  while (!existsSync(go)) await new Promise((resolve) => setTimeout(resolve, 5));
  const end = performance.now() + CONTENDED_MS;
  let sections = 0;
  while (performance.now() < end) {
    await mutex.run(() => undefined);
    sections++;
  }
  process.stdout.write(`sections ${sections}\n`);
  process.exit(0);
}

/** Empty sections per second of CONTENDERS processes on one mutex: the hand-over alone. */
async function contendedMutex(dir, portable) {
  const go = join(dir, 'go');
  const env = { ...process.env, AGENTVISOR_PORTABLE: portable ? '1' : '0' };
  const children = Array.from({ length: CONTENDERS }, () => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--mutex-contender', dir, go], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    return { out: () => out, done: new Promise((resolve) => child.on('close', () => resolve(out))) };
  });
  while (!children.every((c) => c.out().includes('ready'))) await new Promise((resolve) => setTimeout(resolve, 10));
  writeFileSync(go, '');
  const outputs = await Promise.all(children.map((c) => c.done));
  const total = outputs.reduce((sum, o) => sum + Number(/sections (\d+)/.exec(o)?.[1] ?? 0), 0);
  return total / (CONTENDED_MS / 1000);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
function time(call, n = rounds) {
  const samples = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    call(i);
    samples.push(performance.now() - start);
  }
  return median(samples);
}
async function timeAsync(call, n = rounds) {
  const samples = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await call(i);
    samples.push(performance.now() - start);
  }
  return median(samples);
}
const as = (portable) => (process.env.AGENTVISOR_PORTABLE = portable ? '1' : '0');

console.log(`platform layer, node ${process.version}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const sleepers = Array.from({ length: 60 }, () => spawn('sleep', ['60'], { stdio: 'ignore' }));
await new Promise((resolve) => setTimeout(resolve, 200));
// Linux and portable each get pids never asked about: a portable answer is kept for a second.
const pidsFor = (portable) => sleepers.slice(portable ? 20 : 0, portable ? 40 : 20).map((c) => c.pid);
const singlesFor = (portable) => sleepers.slice(40, 60).map((c) => c.pid).slice(portable ? 10 : 0, portable ? 20 : 10);
const root = mkdtempSync(join(tmpdir(), 'agentvisor-platform-bench-'));
try {
  const rows = [];
  for (const portable of [false, true]) {
    as(portable);
    // Every portable look below asks ps afresh (rounds spaced past the answer's second would take
    // minutes): a fresh pid per round for one, the first call of a new pid list for twenty.
    const pids = pidsFor(portable);
    const singles = singlesFor(portable);
    const twenty = portable ? time(() => liveness.prefetch(pids), 1) : time(() => pids.forEach((pid) => liveness.pidState(pid, null)));
    const one = time((i) => liveness.pidState(singles[i % 10], null), portable ? 10 : rounds);
    const sweep = time(() => { processes.forgetSnapshot(); processes.findTree(pids[0], null); }, portable ? 10 : rounds);
    const bootMs = time(() => boot.bootId(), 1);
    const dir = join(root, portable ? 'portable' : 'linux');
    mkdirSync(dir);
    const mutex = new DirMutex(dir);
    await mutex.run(() => undefined);
    const section = await timeAsync(() => mutex.run(() => undefined), rounds * 10);
    const contendedDir = join(root, portable ? 'portable-contended' : 'linux-contended');
    mkdirSync(contendedDir);
    const perSecond = await contendedMutex(contendedDir, portable);
    rows.push([portable ? 'portable (AGENTVISOR_PORTABLE=1)' : 'Linux (/proc)', one, twenty, sweep, bootMs, section, perSecond]);
  }
  console.log('');
  console.log(`${''.padEnd(34)}${'1 pid'.padStart(10)}${'20 pids'.padStart(10)}${'sweep'.padStart(10)}${'boot id'.padStart(10)}${'mutex'.padStart(10)}   (ms, medians)${`${CONTENDERS} on it`.padStart(12)} (sections/s)`);
  for (const [name, ...values] of rows) console.log(`${name.padEnd(34)}${values.slice(0, 5).map((v) => v.toFixed(3).padStart(10)).join('')}${''.padEnd(16)}${values[5].toFixed(0).padStart(12)}`);
  const [linux, portable] = rows;
  console.log(`portable / Linux: 1 pid ${(portable[1] / linux[1]).toFixed(0)}x, 20 pids ${(portable[2] / linux[2]).toFixed(0)}x, sweep ${(portable[3] / linux[3]).toFixed(1)}x, mutex section ${(portable[5] / linux[5]).toFixed(2)}x`);
  console.log('1 pid: a cold liveness question; 20 pids: one section judging 20 holders (portable: one ps for all);');
  console.log('sweep: one snapshot of every process and the tree of one group; mutex: an uncontended take + release of the store\'s mutex;');
  console.log(`${CONTENDERS} on it: ${CONTENDERS} processes taking the mutex for empty sections for ${CONTENDED_MS / 1000} s, sections per second between them (the hand-over alone).`);
} finally {
  for (const child of sleepers) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
}
console.log('Reproduce: npm run bench -- platform, or npm run build && node bench/platform.bench.mjs [--rounds N]');
process.exit(0);
