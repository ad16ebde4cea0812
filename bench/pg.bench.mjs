#!/usr/bin/env node
// The PostgreSQL store (issue 9), in one run on one throwaway server (initdb into a temp dir, as
// `postgres` when root; or AGENTVISOR_BENCH_PG=postgres://...): (1) uncontended acquire+release of
// one path: the PostgreSQL store vs the file store vs a bare `pg` round trip (SELECT 1, the floor);
// (2) 8 processes contending for 3 literal paths on PostgreSQL: holds per second; (3) `run` of 50
// trivial agents on the file store, on PostgreSQL, and concurrently running the same commands;
// (4) the guard hook on PostgreSQL (allowing, blocking) against `node -e 0` and the guard on files,
// interleaved, with 20 locks of other agents held.
// Targets: (1) at most 3x the bare round trip per operation; (3) at most 1.0x concurrently on the
// file store, 1.5x on PostgreSQL. Needs `npm run build` (npm run bench does it).
//   node bench/pg.bench.mjs [--rounds N] [--runs N] [--seconds S]

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(REPO, 'dist', 'index.js');
const BIN = join(REPO, 'dist', 'cli', 'bin.js');
const CONCURRENTLY = join(REPO, 'node_modules', 'concurrently', 'dist', 'bin', 'concurrently.js');
const TARGETS = { perOpVsRoundTrip: 3, runFileVsConcurrently: 1.0, runPgVsConcurrently: 1.5 };
const AGENTS = 50;

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) || fallback : fallback);
const rounds = option('--rounds', 500);
const runs = option('--runs', 5);
const seconds = option('--seconds', 5);

for (const file of [DIST, BIN, CONCURRENTLY]) {
  if (!existsSync(file)) {
    console.error(`no ${file}: run npm run build (and npm install) first`);
    process.exit(2);
  }
}
const { openStore } = await import(DIST);
const { default: pg } = await import('pg');

const ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'CI' && !key.startsWith('AGENTVISOR') && key !== 'AGENT_ID'));
const now = () => process.hrtime.bigint();
const msSince = (start) => Number(now() - start) / 1e6;
const fmt = (x, digits = 3) => x.toFixed(digits).padStart(8);

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.ceil(at)] - sorted[low]) * (at - low);
}

// ------------------------------------------------------------------ a contender (child process)

if (argv[0] === '--contender') {
  const [url, scope, id, until] = argv.slice(1);
  const store = await openStore({ dir: '/nonexistent', url, scope });
  const paths = ['src/a.ts', 'src/b.ts', 'src/c.ts'];
  let holds = 0;
  while (Date.now() < Number(until)) {
    const path = paths[Math.floor(Math.random() * paths.length)];
    const r = await store.acquire({ agentId: `c${id}`, paths: [{ path, mode: 'exclusive' }], owner: { pid: process.pid, leaseMs: null }, wait: true, timeoutMs: 30_000 });
    if (!r.granted) throw new Error('not granted');
    holds++;
    await store.release(`c${id}`, [path]);
  }
  await store.close();
  process.stdout.write(`${holds}\n`);
  process.exit(0);
}

// ------------------------------------------------------------------ the server

function pgBin() {
  const base = '/usr/lib/postgresql';
  const version = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)).find((v) => existsSync(join(base, v, 'bin', 'initdb'))) : undefined;
  return version ? join(base, version, 'bin') : null;
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function server() {
  if (process.env.AGENTVISOR_BENCH_PG) return { url: process.env.AGENTVISOR_BENCH_PG, stop: () => undefined };
  const bin = pgBin();
  if (!bin) throw new Error('no PostgreSQL installed and no AGENTVISOR_BENCH_PG');
  const root = mkdtempSync(join(tmpdir(), 'agentvisor-bench-pg-'));
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const [, , uid, gid] = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).trim().split(':');
    chownSync(root, Number(uid), Number(gid));
  }
  const run = (program, args) => (asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, program), ...args]) : execFileSync(join(bin, program), args));
  const port = await freePort();
  run('initdb', ['-D', join(root, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync', '--no-instructions']);
  // Durable as a real server would be (fsync on): the figures include the commit's flush.
  run('pg_ctl', ['-D', join(root, 'data'), '-o', `-k ${root} -p ${port} -c listen_addresses=127.0.0.1`, '-l', join(root, 'log'), '-w', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      run('pg_ctl', ['-D', join(root, 'data'), '-m', 'immediate', '-w', 'stop']);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

// ------------------------------------------------------------------ 1. one path, uncontended

async function perOperation(url) {
  const owner = { pid: process.pid, leaseMs: 15_000 };
  const request = { agentId: 'bench', paths: [{ path: 'src/a.ts', mode: 'exclusive' }], owner };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // The floor of any durable write: one row updated, committed (the WAL flushed, fsync on).
  await client.query('CREATE TABLE IF NOT EXISTS bench_floor_durable (n int); TRUNCATE bench_floor_durable; INSERT INTO bench_floor_durable VALUES (0)');
  const pgStore = await openStore({ dir: '/nonexistent', url, scope: `bench-${process.pid}` });
  const renewer = await openStore({ dir: '/nonexistent', url, scope: `bench-renew-${process.pid}` });
  await renewer.acquire(request);
  const dir = mkdtempSync(join(tmpdir(), 'agentvisor-bench-fs-'));
  const fileStore = await openStore({ dir: join(dir, 'locks') });
  // 50 agents' acquire + release pairs made at once (Promise.all): they share transactions.
  const fifty = Array.from({ length: 50 }, (_, i) => ({ agentId: `bench-${i}`, paths: [{ path: `src/f${i}.ts`, mode: 'exclusive' }], owner }));
  // Each op returns the ms of the part it times. Interleaved: every round runs each op once, so
  // that the load of a shared machine lands on all of them alike.
  const timed = async (body) => {
    const start = now();
    await body();
    return msSince(start);
  };
  const ops = {
    bare: () => timed(() => client.query('SELECT 1')),
    durable: () => timed(() => client.query('UPDATE bench_floor_durable SET n = n + 1')),
    onPg: () => timed(async () => {
      await pgStore.acquire(request);
      await pgStore.release('bench', ['src/a.ts']);
    }),
    acquireOnPg: async () => {
      const ms = await timed(() => pgStore.acquire(request));
      await pgStore.release('bench', ['src/a.ts']);
      return ms;
    },
    releaseOnPg: async () => {
      await pgStore.acquire(request);
      return timed(() => pgStore.release('bench', ['src/a.ts']));
    },
    renewOnPg: () => timed(() => renewer.renew('bench', { pid: process.pid })),
    batched: async () => (await timed(() => Promise.all(fifty.map(async (r) => {
      await pgStore.acquire(r);
      await pgStore.release(r.agentId, [r.paths[0].path]);
    })))) / fifty.length,
    onFiles: () => timed(async () => {
      await fileStore.acquire(request);
      await fileStore.release('bench', ['src/a.ts']);
    }),
  };
  const samples = Object.fromEntries(Object.keys(ops).map((k) => [k, []]));
  for (let round = -20; round < rounds; round++) {
    for (const [name, op] of Object.entries(ops)) {
      // The batch of 50 is 100 operations: once every 10 rounds is plenty.
      if (name === 'batched' && round % 10 !== 0) continue;
      const ms = await op();
      if (round >= 0) samples[name].push(ms);
    }
  }
  await client.end();
  await pgStore.close();
  await renewer.close();
  await fileStore.close();
  rmSync(dir, { recursive: true, force: true });
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { p50: quantile(v, 0.5), p95: quantile(v, 0.95) }]));
}

// ------------------------------------------------------------------ 2. 8 processes on PostgreSQL

async function contended(url) {
  const until = Date.now() + 1500 + seconds * 1000;
  const scope = `bench-contended-${process.pid}`;
  const children = Array.from({ length: 8 }, (_, i) => spawn(process.execPath, [fileURLToPath(import.meta.url), '--contender', url, scope, String(i), String(until)], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const counts = await Promise.all(children.map((child) => new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', () => resolve(Number(out.trim()) || 0));
  })));
  const total = counts.reduce((a, b) => a + b, 0);
  return { total, perSecond: total / (seconds + 1.5) };
}

// ------------------------------------------------------------------ 3. run of 50 agents

function timeProcess(args, cwd, env) {
  return new Promise((resolve, reject) => {
    const start = now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(msSince(start)) : reject(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

async function runOf50(url) {
  const root = mkdtempSync(join(tmpdir(), 'agentvisor-bench-run-'));
  mkdirSync(join(root, 'files'));
  const agents = Array.from({ length: AGENTS }, (_, i) => ({ id: `a${i}`, command: 'true', owns: [`files/f${i}.txt`] }));
  writeFileSync(join(root, 'agents.config.json'), JSON.stringify({ agents }));
  const pgEnv = { ...ENV, AGENTVISOR_STORE: url, AGENTVISOR_SCOPE: `bench-run-${process.pid}` };
  const times = { files: [], pg: [], concurrently: [] };
  for (let r = 0; r <= runs; r++) {
    const f = await timeProcess([BIN, 'run'], root, ENV);
    const p = await timeProcess([BIN, 'run'], root, pgEnv);
    const c = await timeProcess([CONCURRENTLY, ...agents.map(() => 'true')], root, ENV);
    if (r === 0) continue; // warm-up
    times.files.push(f);
    times.pg.push(p);
    times.concurrently.push(c);
  }
  rmSync(root, { recursive: true, force: true });
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, quantile(v, 0.5)]));
}

// ------------------------------------------------------------------ 4. the guard on PostgreSQL

const PG_PROBE = `const { default: pg } = await import(${JSON.stringify(join(REPO, 'node_modules', 'pg', 'lib', 'index.js'))});
const c = new pg.Client({ connectionString: process.argv[1] }); await c.connect(); await c.query('SELECT 1'); await c.end();`;

function hookInput(root, relative) {
  return `${JSON.stringify({ session_id: 'bench', cwd: root, hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: join(root, relative), content: 'x' } })}\n`;
}

async function guardOnPg(url) {
  const root = mkdtempSync(join(tmpdir(), 'agentvisor-bench-guard-'));
  writeFileSync(join(root, 'agents.config.json'), '{ "agents": [] }\n');
  const scope = `bench-guard-${process.pid}`;
  const stores = [await openStore({ dir: '/nonexistent', url, scope }), await openStore({ dir: join(root, 'data', '.agent_locks') })];
  for (const store of stores) {
    for (let i = 0; i < 20; i++) {
      const path = i % 2 ? `pkg${i}/src/**` : `pkg${i}/index.ts`;
      const r = await store.acquire({ agentId: `agent-${i}`, paths: [{ path, mode: i % 3 ? 'exclusive' : 'shared' }], owner: { pid: process.pid, leaseMs: 3_600_000 } });
      if (!r.granted) throw new Error('guard setup: not granted');
    }
  }
  const env = { ...ENV, AGENT_ID: 'bench-editor' };
  const pgEnv = { ...env, AGENTVISOR_STORE: url, AGENTVISOR_SCOPE: scope };
  const cases = [
    { name: 'node -e 0', args: ['-e', '0'], env, input: '', expect: 0 },
    // The floor of any process that asks the database: load pg, connect, one query.
    { name: 'node + pg: connect, 1 query', args: ['--input-type=module', '-e', PG_PROBE, url], env, input: '', expect: 0 },
    { name: 'guard on files, allow', args: [BIN, 'guard'], env, input: hookInput(root, 'app/page.tsx'), expect: 0 },
    { name: 'guard on pg, allow', args: [BIN, 'guard'], env: pgEnv, input: hookInput(root, 'app/page.tsx'), expect: 0 },
    { name: 'guard on pg, block', args: [BIN, 'guard'], env: pgEnv, input: hookInput(root, 'pkg3/src/x.ts'), expect: 2 },
  ];
  const samples = cases.map(() => []);
  const guardRounds = Math.max(10, Math.round(rounds / 10));
  for (let r = -3; r < guardRounds; r++) {
    cases.forEach((c, i) => {
      const start = now();
      const result = spawnSync(process.execPath, c.args, { cwd: root, env: c.env, input: c.input });
      const ms = msSince(start);
      if (result.status !== c.expect) throw new Error(`${c.name}: exit ${result.status}, expected ${c.expect}\n${result.stderr}`);
      if (r >= 0) samples[i].push(ms);
    });
  }
  for (const store of stores) await store.close();
  rmSync(root, { recursive: true, force: true });
  return { rounds: guardRounds, cases: cases.map((c, i) => ({ name: c.name, p50: quantile(samples[i], 0.5), p95: quantile(samples[i], 0.95) })) };
}

// ------------------------------------------------------------------ main

const verdict = (ok) => (ok ? 'met' : 'MISSED');
const db = await server();
try {
  console.log(`machine: ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${rounds} rounds, ${runs} runs\n`);
  const one = await perOperation(db.url);
  const ratio = one.onPg.p50 / one.bare.p50;
  console.log('1. acquire + release of one path, uncontended (ms per operation pair)');
  console.log(`   bare pg round trip (SELECT 1)   p50 ${fmt(one.bare.p50)}  p95 ${fmt(one.bare.p95)}`);
  console.log(`   bare durable commit (1 UPDATE)  p50 ${fmt(one.durable.p50)}  p95 ${fmt(one.durable.p95)}   ${(one.durable.p50 / one.bare.p50).toFixed(1)}x the round trip (the WAL flush)`);
  console.log(`   PostgreSQL store                p50 ${fmt(one.onPg.p50)}  p95 ${fmt(one.onPg.p95)}   ${(ratio).toFixed(1)}x the round trip (acquire + release: 2 operations, ${(ratio / 2).toFixed(1)}x each; target <= ${TARGETS.perOpVsRoundTrip}x: ${verdict(ratio / 2 <= TARGETS.perOpVsRoundTrip)})`);
  console.log(`   PostgreSQL acquire alone        p50 ${fmt(one.acquireOnPg.p50)}  p95 ${fmt(one.acquireOnPg.p95)}   ${(one.acquireOnPg.p50 / one.bare.p50).toFixed(1)}x the round trip`);
  console.log(`   PostgreSQL release alone        p50 ${fmt(one.releaseOnPg.p50)}  p95 ${fmt(one.releaseOnPg.p95)}   ${(one.releaseOnPg.p50 / one.bare.p50).toFixed(1)}x the round trip`);
  console.log(`   PostgreSQL renewal (1 UPDATE)   p50 ${fmt(one.renewOnPg.p50)}  p95 ${fmt(one.renewOnPg.p95)}   ${(one.renewOnPg.p50 / one.bare.p50).toFixed(1)}x the round trip`);
  console.log(`   50 pairs at once, per pair      p50 ${fmt(one.batched.p50)}  p95 ${fmt(one.batched.p95)}   ${(one.batched.p50 / one.bare.p50 / 2).toFixed(1)}x the round trip per operation (batched)`);
  console.log(`   file store                      p50 ${fmt(one.onFiles.p50)}  p95 ${fmt(one.onFiles.p95)}`);
  const busy = await contended(db.url);
  console.log(`\n2. 8 processes contending for 3 paths on PostgreSQL: ${busy.total} holds, ${busy.perSecond.toFixed(0)} holds/s`);
  const run = await runOf50(db.url);
  console.log(`\n3. run of ${AGENTS} trivial agents (p50 of ${runs}, ms)`);
  console.log(`   concurrently   ${fmt(run.concurrently, 0)}`);
  console.log(`   file store     ${fmt(run.files, 0)}   ${(run.files / run.concurrently).toFixed(2)}x (target <= ${TARGETS.runFileVsConcurrently}x: ${verdict(run.files / run.concurrently <= TARGETS.runFileVsConcurrently)})`);
  console.log(`   PostgreSQL     ${fmt(run.pg, 0)}   ${(run.pg / run.concurrently).toFixed(2)}x (target <= ${TARGETS.runPgVsConcurrently}x: ${verdict(run.pg / run.concurrently <= TARGETS.runPgVsConcurrently)})`);
  const guard = await guardOnPg(db.url);
  console.log(`\n4. the guard hook, ${guard.rounds} rounds interleaved, 20 locks of other agents held (ms)`);
  const base = guard.cases[0].p50;
  for (const c of guard.cases) console.log(`   ${c.name.padEnd(24)} p50 ${fmt(c.p50, 1)}  p95 ${fmt(c.p95, 1)}   ${(c.p50 / base).toFixed(2)}x node -e 0`);
  console.log(`\nload after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  db.stop();
}
