// The run's PostgreSQL server for tests (test/pg-setup.ts starts it): its URL, a fresh scope or a
// fresh database per test, admin queries, and a restart. `describePg` skips loudly where there is
// no server (and the global setup already failed the run when CI is set).

import { randomBytes } from 'node:crypto';
import { describe, inject, onTestFinished } from 'vitest';
import { pgCtlOptions, runPg, type TestPg } from '../pg-setup.js';

export function testPg(): TestPg | null {
  return inject('testPg');
}

export function pgUrl(): string {
  const pg = testPg();
  if (!pg) throw new Error('no PostgreSQL for this run');
  return pg.url;
}

let warned = false;

/** A describe block that needs PostgreSQL: skipped, loudly, without one. */
export function describePg(name: string, body: () => void): void {
  if (testPg()) {
    describe(name, body);
    return;
  }
  if (!warned) {
    warned = true;
    process.stderr.write(`\n!!! SKIPPED: PostgreSQL tests (${inject('testPgMissing') ?? 'no server'})\n\n`);
  }
  describe.skip(`${name} [SKIPPED: no PostgreSQL]`, body);
}

/** A scope no other test uses: the same database serves every test. */
export function freshScope(prefix = 'test'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** `url` with another database (and optionally another user and password). */
export function withDatabase(url: string, database: string, user?: { name: string; password: string }): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  if (user) {
    parsed.username = user.name;
    parsed.password = user.password;
  }
  return parsed.toString();
}

/** One statement as the superuser, on its own connection. */
export async function adminQuery<T = Record<string, unknown>>(sql: string, params: unknown[] = [], url = pgUrl()): Promise<T[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A new empty database, dropped when the test ends; its URL. */
export async function freshDatabase(): Promise<string> {
  const name = `agentvisor_t_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  onTestFinished(async () => {
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  return withDatabase(pgUrl(), name);
}

/** Stop the server and start it again (only our own server can be restarted). */
export function restartServer(): void {
  const own = testPg()?.own;
  if (!own) throw new Error('the server is not ours (AGENTVISOR_TEST_PG): cannot restart it');
  runPg(own, 'pg_ctl', ['-D', own.data, '-m', 'fast', '-w', 'stop']);
  runPg(own, 'pg_ctl', ['-D', own.data, '-o', pgCtlOptions(own), '-l', `${own.socketDir}/server.log`, '-w', '-t', '30', 'start']);
}

/** A PostgreSQL server of this test's own (it may be restarted without disturbing other tests). */
export async function privateServer(): Promise<{ url: string; restart(): void }> {
  const { findPgBin, startOwn } = await import('../pg-setup.js');
  const bin = findPgBin();
  if (!bin) throw new Error('no PostgreSQL installed for a private server');
  const { pg, stop } = await startOwn(bin);
  onTestFinished(stop);
  const own = pg.own!;
  return {
    url: pg.url,
    restart() {
      runPg(own, 'pg_ctl', ['-D', own.data, '-m', 'fast', '-w', 'stop']);
      runPg(own, 'pg_ctl', ['-D', own.data, '-o', pgCtlOptions(own), '-l', `${own.socketDir}/server.log`, '-w', '-t', '30', 'start']);
    },
  };
}
