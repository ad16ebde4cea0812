#!/usr/bin/env node
// MCP server start-up: `agentvisor mcp` spawned as a client spawns it, timed to its answer to
// `initialize`, to `tools/list`, and to a first `lock` call, against `node -e 0` (start to exit)
// and `agentvisor lock` (a hot-path command, start to exit) in the same run, interleaved. The
// server starts once per agent session, not per edit. Needs `npm run build` (npm run bench does it).
//   node bench/mcp.bench.mjs [--rounds N]

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(REPO, 'dist', 'cli', 'bin.js');
const WARMUP_ROUNDS = 2;
const argv = process.argv.slice(2);
const rounds = Number(argv[argv.indexOf('--rounds') + 1]) || 30;

if (!existsSync(BIN)) {
  console.error(`no ${BIN}: run npm run build first`);
  process.exit(2);
}

const root = mkdtempSync(join(tmpdir(), 'agentvisor-mcp-bench-'));
writeFileSync(join(root, 'agents.config.json'), '{ "agents": [] }\n');
const env = { ...process.env, AGENT_ID: 'bench' };
for (const name of Object.keys(env)) if (name.startsWith('AGENTVISOR_')) delete env[name];

/** Start to exit of a short command. */
function timeExit(args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - start) / 1e6) : reject(new Error(`${args.join(' ')}: exit ${code}\n${stderr}`))));
  });
}

/** Start to each answer of a JSON-RPC exchange with `agentvisor mcp`; then stdin closes. */
function timeMcp() {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [BIN, 'mcp'], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const marks = [];
    let buffer = '';
    const send = (message) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const message = JSON.parse(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        if (message.error || message.result?.isError) return reject(new Error(JSON.stringify(message)));
        marks.push(Number(process.hrtime.bigint() - start) / 1e6);
        if (message.id === 1) {
          send({ method: 'notifications/initialized' });
          send({ id: 2, method: 'tools/list' });
        } else if (message.id === 2) {
          send({ id: 3, method: 'tools/call', params: { name: 'lock', arguments: { paths: [`bench/${marks.length}-${Math.random()}.ts`] } } });
        } else if (message.id === 3) {
          child.stdin.end();
        }
      }
    });
    child.on('exit', (code) => (code === 0 && marks.length === 3 ? resolve(marks) : reject(new Error(`mcp: exit ${code} after ${marks.length} answers`))));
    send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });
  });
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.ceil(at)] - sorted[low]) * (at - low);
}

console.log(`mcp start-up: ${rounds} rounds (+${WARMUP_ROUNDS} warm-up), cases interleaved`);
console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const rows = { 'node -e 0 (exit)': [], 'lock (exit)': [], 'mcp initialize': [], 'mcp tools/list': [], 'mcp first lock': [] };
try {
  for (let round = 0; round < WARMUP_ROUNDS + rounds; round++) {
    const node = await timeExit(['-e', '0']);
    const lock = await timeExit([BIN, 'lock', `cli/${round}.ts`, '--ttl', '1m']);
    const [init, list, first] = await timeMcp();
    if (round < WARMUP_ROUNDS) continue;
    rows['node -e 0 (exit)'].push(node);
    rows['lock (exit)'].push(lock);
    rows['mcp initialize'].push(init);
    rows['mcp tools/list'].push(list);
    rows['mcp first lock'].push(first);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
const base = quantile(rows['node -e 0 (exit)'], 0.5);
console.log('');
console.log(`${'case'.padEnd(20)} ${'p50 ms'.padStart(8)} ${'p90 ms'.padStart(8)} ${'p50 ratio'.padStart(10)}`);
for (const [name, values] of Object.entries(rows)) {
  const p50 = quantile(values, 0.5);
  console.log(`${name.padEnd(20)} ${p50.toFixed(1).padStart(8)} ${quantile(values, 0.9).toFixed(1).padStart(8)} ${`${(p50 / base).toFixed(2)}x`.padStart(10)}`);
}
console.log('');
console.log('Reproduce: npm run build && node bench/mcp.bench.mjs [--rounds N]');
