#!/usr/bin/env node
// Supervisor benchmarks (issue 3), in one run against the built CLI: launch and reap 50 trivial
// agents against concurrently 9 running the same 50 commands; `send` → stdin latency; agent
// SIGKILL → its locks gone; the supervisor's memory with 50 sleeping agents. Needs `npm run build`.
//   node bench/supervisor.bench.mjs [--runs N] [--sends N] [--kills N] [--keep]

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(REPO, 'dist', 'cli', 'bin.js');
const CONCURRENTLY = join(REPO, 'node_modules', 'concurrently', 'dist', 'bin', 'concurrently.js');
const AGENTS = 50;
const TRIVIAL = 'true';
const TARGETS = { launchRatio: 1.0, sendP50Ms: 20, killP50Ms: 200, rssMb: 80 };
const STEADY_AFTER_MS = 12_000;

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) || fallback : fallback);
const runs = option('--runs', 7);
const sends = option('--sends', 25);
const kills = option('--kills', 20);
const keep = argv.includes('--keep');

for (const file of [BIN, CONCURRENTLY]) {
  if (!existsSync(file)) {
    console.error(`no ${file}: run npm run build (and npm install) first`);
    process.exit(2);
  }
}

// The children see neither CI (which would switch logs to JSON) nor an outer run's variables.
const ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'CI' && !key.startsWith('AGENTVISOR') && key !== 'AGENT_ID'));
const roots = [];

const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;

/** A throwaway project holding agents.config.json. */
function project(name, config) {
  const root = mkdtempSync(join(tmpdir(), `agentvisor-sv-bench-${name}-`));
  roots.push(root);
  writeFileSync(join(root, 'agents.config.json'), `${JSON.stringify(config, null, 2)}\n`);
  return root;
}

/** Start a process; `exited` resolves with its code and the moment (epoch ms) its exit was seen. */
function launch(args, { cwd, stdin = 'ignore' } = {}) {
  const child = spawn(process.execPath, args, { cwd, env: ENV, stdio: [stdin, 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: nowMs() })));
  return { child, exited, stdout: () => out, stderr: () => err };
}

async function waitUntil(what, check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

// ------------------------------------------------------------------ 1. launch and reap 50 agents

async function timeOnce(args, cwd) {
  const started = nowMs();
  const run = launch(args, { cwd });
  const { code, at } = await run.exited;
  if (code !== 0) throw new Error(`${args.slice(0, 2).join(' ')} exited ${code}:\n${run.stderr().slice(-2000)}`);
  return at - started;
}

async function launchAndReap() {
  const agents = Array.from({ length: AGENTS }, (_, i) => ({ id: `a${i}`, command: TRIVIAL, owns: [`files/f${i}.txt`] }));
  const root = project('launch', { agents });
  const ours = ['run'];
  const theirs = [CONCURRENTLY, ...agents.map(() => TRIVIAL)];
  // One warm-up each (disk caches, the coordination dir's first creation), then interleaved.
  await timeOnce([BIN, ...ours], root);
  await timeOnce(theirs, root);
  const times = { agentvisor: [], concurrently: [] };
  for (let i = 0; i < runs; i++) {
    times.agentvisor.push(await timeOnce([BIN, ...ours], root));
    times.concurrently.push(await timeOnce(theirs, root));
  }
  const av = percentile(times.agentvisor, 50);
  const cc = percentile(times.concurrently, 50);
  return {
    agentvisor: { p50: av, p90: percentile(times.agentvisor, 90), all: times.agentvisor },
    concurrently: { p50: cc, p90: percentile(times.concurrently, 90), all: times.concurrently },
    ratio: av / cc,
  };
}

// ------------------------------------------------------------------ 2. send → stdin latency

const RECEIVER = `
const { appendFileSync } = require('node:fs');
const out = process.argv[1];
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  appendFileSync(out, line + '\\t' + (performance.timeOrigin + performance.now()) + '\\n');
});`;

function received(file) {
  if (!existsSync(file)) return new Map();
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return new Map(lines.map((line) => line.split('\t')).map(([text, at]) => [text, Number(at)]));
}

async function sendLatency() {
  const root = project('send', {
    agents: [{ id: 'receiver', command: ['node', '-e', RECEIVER, 'received.txt'], prompt: 'ready', messages: { to: 'stdin', format: 'text' } }],
  });
  const file = join(root, 'received.txt');
  const inbox = join(root, 'data', '.agent_locks', 'messages', 'receiver');
  const run = launch([BIN, 'run'], { cwd: root });
  let watcher = null;
  try {
    await waitUntil('the receiver to get its prompt', () => received(file).has('ready'));
    await waitUntil('the receiver\'s inbox', () => existsSync(inbox));
    // When each message file lands in the inbox (send writes it, then exits; the supervisor takes it).
    let landedAt = null;
    watcher = watch(inbox, (event, name) => {
      if (landedAt === null && name?.endsWith('.json')) landedAt = nowMs();
    });
    const latencies = [];
    const fromStart = [];
    const fromFile = [];
    for (let i = 0; i < sends; i++) {
      const text = `message ${i}`;
      landedAt = null;
      const sentAt = nowMs();
      const send = launch([BIN, 'send', 'receiver', text, '--from', 'bench'], { cwd: root });
      const { code, at } = await send.exited;
      if (code !== 0) throw new Error(`send exited ${code}: ${send.stderr()}`);
      const arrived = await waitUntil(`"${text}" to arrive`, () => received(file).get(`bench: ${text}`), 10_000);
      latencies.push(arrived - at);
      fromStart.push(arrived - sentAt);
      if (landedAt !== null) fromFile.push(arrived - landedAt);
    }
    return {
      p50: percentile(latencies, 50), p90: percentile(latencies, 90), max: Math.max(...latencies), all: latencies,
      fromStartP50: percentile(fromStart, 50),
      fromFile: { p50: percentile(fromFile, 50), p90: percentile(fromFile, 90), n: fromFile.length },
    };
  } finally {
    watcher?.close();
    run.child.kill('SIGINT');
    await run.exited;
  }
}

// ------------------------------------------------------------------ 3 + 4. memory, SIGKILL → locks free

function status(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, ppid: Number(/^PPid:\s+(\d+)/m.exec(text)?.[1]) };
  } catch {
    return null;
  }
}

function childrenOf(pid) {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (status(Number(name))?.ppid === pid) found.push(Number(name));
  }
  return found;
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Lock file names per agent id, read from the records themselves. */
function locksByAgent(lockDir) {
  const byAgent = new Map();
  for (const name of readdirSync(lockDir)) {
    if (!name.endsWith('.lock')) continue;
    try {
      const record = JSON.parse(readFileSync(join(lockDir, name), 'utf8'));
      byAgent.set(record.agent_id, [...(byAgent.get(record.agent_id) ?? []), name]);
    } catch {
      // being written or removed
    }
  }
  return byAgent;
}

/** Resolves with the moment (epoch ms) none of `names` exists in `dir`: fs.watch, and a 1 ms poll as a safety net. */
function whenGone(dir, names) {
  return new Promise((resolve) => {
    const gone = () => names.every((name) => !existsSync(join(dir, name)));
    const watcher = watch(dir, () => check());
    const poll = setInterval(() => check(), 1);
    function check() {
      if (!gone()) return;
      const at = nowMs();
      watcher.close();
      clearInterval(poll);
      resolve(at);
    }
    check();
  });
}

async function sleepingRun() {
  const agents = Array.from({ length: AGENTS }, (_, i) => ({ id: `s${i}`, command: 'echo $$ > "pids/$AGENT_ID"; exec sleep 600', owns: [`files/f${i}.txt`] }));
  const root = project('sleep', { agents });
  mkdirSync(join(root, 'pids'));
  const lockDir = join(root, 'data', '.agent_locks');
  const run = launch([BIN, 'run'], { cwd: root });
  const supervisor = run.child.pid;
  try {
    const pids = await waitUntil('50 sleeping agents', () => {
      const names = existsSync(join(root, 'pids')) ? readdirSync(join(root, 'pids')) : [];
      if (names.length < AGENTS) return null;
      const map = new Map(names.map((id) => [id, Number(readFileSync(join(root, 'pids', id), 'utf8'))]));
      return [...map.values()].every((pid) => pid > 0) ? map : null;
    });
    const allStarted = Date.now();
    // Memory twice: just after the start (the heap as start-up left it) and once V8's memory
    // reducer has had its turn (it runs ~8 s after the last full GC of a quiet process).
    await sleep(1_500);
    const early = status(supervisor);
    const watchdogPid = childrenOf(supervisor).find((pid) => cmdline(pid).includes('agentvisor-watchdog'));
    const watchdog = watchdogPid ? status(watchdogPid) : null;
    await sleep(Math.max(0, allStarted + STEADY_AFTER_MS - Date.now()));
    const steady = status(supervisor);
    const locks = locksByAgent(lockDir);
    const latencies = [];
    for (let i = 0; i < Math.min(kills, AGENTS); i++) {
      const id = `s${i}`;
      const names = locks.get(id) ?? [];
      if (names.length === 0) throw new Error(`${id} holds no lock file`);
      const gone = whenGone(lockDir, names);
      const killedAt = nowMs();
      process.kill(pids.get(id), 'SIGKILL');
      latencies.push((await gone) - killedAt);
      await sleep(20);
    }
    return {
      early,
      steady,
      watchdog,
      kill: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), max: Math.max(...latencies), all: latencies },
    };
  } finally {
    run.child.kill('SIGINT');
    await run.exited;
  }
}

/** concurrently's own memory with 50 sleeping commands, as a reference. */
async function concurrentlyMemory() {
  const root = project('conc-sleep', { agents: [] });
  const run = launch([CONCURRENTLY, ...Array.from({ length: AGENTS }, () => 'exec sleep 600')], { cwd: root });
  try {
    await waitUntil('50 sleeping commands', () => childrenOf(run.child.pid).length >= AGENTS);
    await sleep(1_500);
    return status(run.child.pid);
  } finally {
    for (const pid of childrenOf(run.child.pid)) process.kill(pid, 'SIGKILL');
    run.child.kill('SIGKILL');
    await run.exited;
  }
}

// ------------------------------------------------------------------ report

function verdict(ok) {
  return ok ? 'meets target' : 'MISSES target';
}

async function main() {
  console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`launch and reap: ${AGENTS} agents running \`${TRIVIAL}\`, each owning files/fN.txt; ${runs} runs each after one warm-up, interleaved\n`);

  const launchResult = await launchAndReap();
  const { agentvisor: av, concurrently: cc } = launchResult;
  console.log('1. launch and reap 50 agents (wall time, spawn to exit)');
  console.log(`   agentvisor run    p50 ${fmt(av.p50)}  p90 ${fmt(av.p90)}   [${av.all.map((t) => t.toFixed(0)).join(' ')}]`);
  console.log(`   concurrently 9    p50 ${fmt(cc.p50)}  p90 ${fmt(cc.p90)}   [${cc.all.map((t) => t.toFixed(0)).join(' ')}]`);
  console.log(`   ratio ${launchResult.ratio.toFixed(2)}x (target <= ${TARGETS.launchRatio.toFixed(1)}x): ${verdict(launchResult.ratio <= TARGETS.launchRatio)}\n`);

  const send = await sendLatency();
  console.log(`2. send -> stdin agent (from \`agentvisor send\` exiting to the agent reading the line; ${sends} sends)`);
  console.log(`   p50 ${fmt(send.p50)}  p90 ${fmt(send.p90)}  max ${fmt(send.max)}   (target p50 < ${TARGETS.sendP50Ms} ms: ${verdict(send.p50 < TARGETS.sendP50Ms)})`);
  console.log(`   (negative: the line arrived before \`send\` had finished exiting; from starting \`send\` to the line: p50 ${fmt(send.fromStartP50)})`);
  console.log(`   delivery alone, from the message file landing in the inbox to the agent reading the line: p50 ${fmt(send.fromFile.p50)}  p90 ${fmt(send.fromFile.p90)} (${send.fromFile.n} seen)\n`);

  const sleeping = await sleepingRun();
  const { kill, early, steady, watchdog } = sleeping;
  console.log(`3. agent SIGKILL -> its lock files gone (${kill.all.length} kills, 50 agents running)`);
  console.log(`   p50 ${fmt(kill.p50)}  p90 ${fmt(kill.p90)}  max ${fmt(kill.max)}   (target p50 < ${TARGETS.killP50Ms} ms: ${verdict(kill.p50 < TARGETS.killP50Ms)})\n`);

  const theirs = await concurrentlyMemory();
  const mb = (s) => `${s.rssMb.toFixed(1)} MB`;
  console.log('4. memory with 50 sleeping agents (VmRSS of the supervisor process, /proc/PID/status)');
  console.log(`   supervisor, 1.5 s after the last start   ${mb(early)}   (target < ${TARGETS.rssMb} MB: ${verdict(early.rssMb < TARGETS.rssMb)})`);
  console.log(`   supervisor, ${STEADY_AFTER_MS / 1000} s after (steady)        ${mb(steady)}   (target < ${TARGETS.rssMb} MB: ${verdict(steady.rssMb < TARGETS.rssMb)}); peak VmHWM ${steady.hwmMb.toFixed(1)} MB`);
  console.log(`   watchdog (a separate process)          ${watchdog ? `${mb(watchdog)}, not counted above` : 'not found'}`);
  console.log(`   concurrently 9, 1.5 s after the start   ${theirs ? `${mb(theirs)} (peak ${theirs.hwmMb.toFixed(1)} MB)` : 'not measured'}\n`);

  console.log('reproduce: npm run build && node bench/supervisor.bench.mjs   (or: npm run bench -- supervisor)');
  console.log(`by hand:   a config of ${AGENTS} agents {"command": "${TRIVIAL}", "owns": ["files/fN.txt"]}; time node dist/cli/bin.js run`);
  console.log(`           vs time node node_modules/concurrently/dist/bin/concurrently.js ${TRIVIAL} ${TRIVIAL} ... (${AGENTS} times)`);
}

try {
  await main();
} finally {
  if (keep) console.log(`kept: ${roots.join(' ')}`);
  else for (const root of roots) rmSync(root, { recursive: true, force: true });
}
