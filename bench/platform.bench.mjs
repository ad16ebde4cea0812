#!/usr/bin/env node
// The platform layer, Linux paths beside the portable ones (AGENTVISOR_PORTABLE=1, as on macOS),
// in one run: a pid's liveness (one pid; 20 pids), the leftover sweep's snapshot of every process,
// the boot identity, and an uncontended pass through the store's mutex (the same socket-file chain
// for both, but the portable refusal check differs). Needs `npm run build`.
//   node bench/platform.bench.mjs [--rounds N]

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
    rows.push([portable ? 'portable (AGENTVISOR_PORTABLE=1)' : 'Linux (/proc)', one, twenty, sweep, bootMs, section]);
  }
  console.log('');
  console.log(`${''.padEnd(34)}${'1 pid'.padStart(10)}${'20 pids'.padStart(10)}${'sweep'.padStart(10)}${'boot id'.padStart(10)}${'mutex'.padStart(10)}   (ms, medians)`);
  for (const [name, ...values] of rows) console.log(`${name.padEnd(34)}${values.map((v) => v.toFixed(3).padStart(10)).join('')}`);
  const [linux, portable] = rows;
  console.log(`portable / Linux: 1 pid ${(portable[1] / linux[1]).toFixed(0)}x, 20 pids ${(portable[2] / linux[2]).toFixed(0)}x, sweep ${(portable[3] / linux[3]).toFixed(1)}x, mutex section ${(portable[5] / linux[5]).toFixed(2)}x`);
  console.log('1 pid: a cold liveness question; 20 pids: one section judging 20 holders (portable: one ps for all);');
  console.log('sweep: one snapshot of every process and the tree of one group; mutex: an uncontended take + release of the store\'s mutex.');
} finally {
  for (const child of sleepers) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
}
console.log('Reproduce: npm run bench -- platform, or npm run build && node bench/platform.bench.mjs [--rounds N]');
process.exit(0);
