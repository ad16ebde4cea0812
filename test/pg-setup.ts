// The PostgreSQL server of a test run (vitest global setup): AGENTVISOR_TEST_PG when set, else a
// throwaway cluster of our own (initdb into a temp dir, a free port on 127.0.0.1 with a password,
// and a socket in that dir), stopped and removed at the end. Where no PostgreSQL is installed the
// PostgreSQL tests skip and say so loudly; with CI set, that is a failure.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export interface TestPg {
  /** A superuser URL with a password (TCP, 127.0.0.1). */
  url: string;
  /** Present when the server is ours: how to restart it (tests of a database restart). */
  own: { bin: string; data: string; socketDir: string; port: number; runAs: string | null } | null;
}

declare module 'vitest' {
  interface ProvidedContext {
    testPg: TestPg | null;
    testPgMissing: string | null;
  }
}

/** The newest installed PostgreSQL's bin dir holding initdb and pg_ctl, or null. */
export function findPgBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(base, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Run a PostgreSQL program, as `postgres` when we are root (initdb refuses to run as root). */
export function runPg(own: NonNullable<TestPg['own']>, program: string, args: string[]): void {
  const file = join(own.bin, program);
  if (own.runAs) execFileSync('runuser', ['-u', own.runAs, '--', file, ...args], { stdio: 'pipe' });
  else execFileSync(file, args, { stdio: 'pipe' });
}

export function pgCtlOptions(own: NonNullable<TestPg['own']>): string {
  return `-k ${own.socketDir} -p ${own.port} -c listen_addresses=127.0.0.1 -F -c max_connections=300 -c shared_buffers=16MB`;
}

export async function startOwn(bin: string): Promise<{ pg: TestPg; stop: () => void }> {
  const root = mkdtempSync(join(tmpdir(), 'agentvisor-pg-'));
  const runAs = userInfo().uid === 0 ? 'postgres' : null;
  const password = randomBytes(12).toString('hex');
  writeFileSync(join(root, 'pw'), `${password}\n`);
  if (runAs) {
    const { uid, gid } = pgUser();
    chownSync(root, uid, gid);
    chownSync(join(root, 'pw'), uid, gid);
  }
  chmodSync(root, 0o700);
  const own = { bin, data: join(root, 'data'), socketDir: root, port: await freePort(), runAs };
  runPg(own, 'initdb', ['-D', own.data, '-U', 'postgres', '--pwfile', join(root, 'pw'), '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '-E', 'UTF8', '--no-instructions']);
  runPg(own, 'pg_ctl', ['-D', own.data, '-o', pgCtlOptions(own), '-l', join(root, 'server.log'), '-w', '-t', '30', 'start']);
  const stop = (): void => {
    try {
      runPg(own, 'pg_ctl', ['-D', own.data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(root, { recursive: true, force: true });
  };
  return { pg: { url: `postgres://postgres:${password}@127.0.0.1:${own.port}/postgres`, own }, stop };
}

function pgUser(): { uid: number; gid: number } {
  const line = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).trim().split(':');
  return { uid: Number(line[2]), gid: Number(line[3]) };
}

function shout(message: string): void {
  const bar = '!'.repeat(78);
  process.stderr.write(`\n${bar}\n!! ${message}\n${bar}\n\n`);
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const given = process.env.AGENTVISOR_TEST_PG;
  if (given) {
    project.provide('testPg', { url: given, own: null });
    project.provide('testPgMissing', null);
    return undefined;
  }
  const bin = findPgBin();
  if (!bin) {
    const why = 'PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin or on PATH) and AGENTVISOR_TEST_PG is not set';
    if (process.env.CI) throw new Error(`${why}: the PostgreSQL store tests cannot run, and CI is set`);
    shout(`SKIPPING the PostgreSQL store tests: ${why}.`);
    project.provide('testPg', null);
    project.provide('testPgMissing', why);
    return undefined;
  }
  const { pg, stop } = await startOwn(bin);
  project.provide('testPg', pg);
  project.provide('testPgMissing', null);
  return stop;
}
