// The PostgreSQL store refusing what it cannot use, from the CLI: an unreachable server, wrong
// credentials, a role without permission to create the schema, a newer schema, a URL that is not
// PostgreSQL. Each: one line on stderr naming the problem, exit 1 (2 for a malformed URL), no
// password anywhere, nothing half-made. And the schema made by several processes at once.

import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { project } from '../cli/support.js';
import { runCli } from '../helpers/cli.js';
import { adminQuery, describePg, freshDatabase, freshScope, withDatabase } from '../helpers/pg.js';

const SECRET = 'Sup3r-s3cret-pw';

function oneLine(stderr: string): string[] {
  return stderr.trim().split('\n');
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function schemaExists(url: string): Promise<boolean> {
  const rows = await adminQuery<{ n: string }>(`SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'agentvisor'`, [], url);
  return Number(rows[0]!.n) > 0;
}

describePg('the PostgreSQL store refuses, in one line', () => {
  it('an unreachable server: exit 1 naming it, without the password', async () => {
    const url = `postgres://me:${SECRET}@127.0.0.1:${await closedPort()}/db`;
    const result = await runCli(['lock', 'a.txt', '--agent', 'a', '--store', url, '--scope', 't'], { cwd: project() });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/connection refused/);
    expect(result.stderr).toContain('postgres://me:***@127.0.0.1');
    expect(result.stderr + result.stdout).not.toContain(SECRET);
  });

  it('wrong credentials: exit 1, the password never shown (status, lock, and inside a run)', async () => {
    const db = await freshDatabase();
    const url = withDatabase(db, new URL(db).pathname.slice(1), { name: 'postgres', password: SECRET });
    for (const args of [['status'], ['lock', 'a.txt', '--agent', 'a'], ['check', 'a.txt', '--agent', 'a'], ['inbox', '--agent', 'a']]) {
      const result = await runCli([...args, '--store', url, '--scope', 't'], { cwd: project() });
      expect(result.code, result.stderr).toBe(1);
      expect(oneLine(result.stderr)).toHaveLength(1);
      expect(result.stderr).toMatch(/refused the credentials|password authentication failed/);
      expect(result.stderr + result.stdout).not.toContain(SECRET);
    }
    const root = project(['a']);
    const run = await runCli(['run', '--log-format', 'json'], { cwd: root, env: { AGENTVISOR_STORE: url, AGENTVISOR_SCOPE: 't' } });
    expect(run.code).toBe(1);
    expect(run.stderr + run.stdout).not.toContain(SECRET);
    expect(await schemaExists(db)).toBe(false);
  });

  it('no permission to create the schema: exit 1 saying so; nothing made', async () => {
    const db = await freshDatabase();
    const name = new URL(db).pathname.slice(1);
    const role = `nocreate_${freshScope('r').slice(2).replace(/-/g, '_')}`;
    await adminQuery(`CREATE ROLE ${role} LOGIN PASSWORD '${SECRET}'`);
    await adminQuery(`REVOKE CREATE ON DATABASE ${name} FROM PUBLIC`);
    await adminQuery(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`, [], db);
    const url = withDatabase(db, name, { name: role, password: SECRET });
    try {
      const result = await runCli(['lock', 'a.txt', '--agent', 'a', '--store', url, '--scope', 't'], { cwd: project() });
      expect(result.code).toBe(1);
      expect(oneLine(result.stderr)).toHaveLength(1);
      expect(result.stderr).toMatch(/no permission to create the agentvisor schema/);
      expect(result.stderr).not.toContain(SECRET);
      expect(await schemaExists(db)).toBe(false);
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('a schema newer than this program: refused naming both versions, nothing changed', async () => {
    const db = await freshDatabase();
    const first = await runCli(['lock', 'a.txt', '--agent', 'a', '--store', db, '--scope', 't'], { cwd: project() });
    expect(first.code, first.stderr).toBe(0);
    await adminQuery(`UPDATE agentvisor.schema_version SET version = 99`, [], db);
    const result = await runCli(['lock', 'b.txt', '--agent', 'a', '--store', db, '--scope', 't'], { cwd: project() });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/schema is version 99, newer than this agentvisor's \(1\)/);
    const locks = await adminQuery<{ file_path: string }>('SELECT file_path FROM agentvisor.locks', [], db);
    expect(locks.map((l) => l.file_path)).toEqual(['a.txt']);
  });

  it('a store that is not a PostgreSQL URL: exit 2 naming it', async () => {
    const result = await runCli(['lock', 'a.txt', '--agent', 'a', '--store', `mysql://u:${SECRET}@h/db`], { cwd: project() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(result.stderr).not.toContain(SECRET);
  });

  it('six processes using a new database at once: the schema is made once, every command succeeds', async () => {
    const db = await freshDatabase();
    const root = project();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => runCli(['lock', `f${i}.txt`, '--agent', `a${i}`, '--store', db, '--scope', 't'], { cwd: root })));
    results.forEach((r) => expect(r.code, r.stderr).toBe(0));
    const versions = await adminQuery<{ version: number }>('SELECT version FROM agentvisor.schema_version', [], db);
    expect(versions).toEqual([{ version: 1 }]);
  });
});
