// The PostgreSQL store's schema (`agentvisor` in the database), versioned: created and migrated on
// first use inside one transaction under an advisory lock (several processes starting at once:
// one migrates, the others wait and find it done; a failure leaves nothing half-made), and refused
// with both versions named when the database is newer than this program. docs/pg-store.md.

import { AgentvisorError } from '../errors.js';
import type { Session } from './connection.js';

export const SCHEMA = 'agentvisor';
export const SCHEMA_VERSION = 1;
/** pg_advisory_xact_lock key of migrations (any constant; scopes use hashtextextended of their name). */
const MIGRATION_LOCK = 7_401_122_030;

/** Migration N takes the schema from version N-1 to N. */
const MIGRATIONS: string[] = [
  `CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
   CREATE TABLE ${SCHEMA}.schema_version (version integer NOT NULL, migrated_at timestamptz NOT NULL DEFAULT now());
   INSERT INTO ${SCHEMA}.schema_version (version) VALUES (0);
   CREATE SEQUENCE ${SCHEMA}.tokens;
   CREATE TABLE ${SCHEMA}.locks (
     id bigserial PRIMARY KEY,
     scope text NOT NULL,
     agent_id text NOT NULL,
     file_path text NOT NULL,
     mode text NOT NULL CHECK (mode IN ('exclusive', 'shared')),
     token bigint NOT NULL,
     acquired_at timestamptz NOT NULL,
     heartbeat timestamptz NOT NULL,
     beats integer NOT NULL DEFAULT 0,
     pid integer,
     pid_start bigint,
     host text NOT NULL,
     boot_id text,
     watchdog_pid integer,
     watchdog_pid_start bigint,
     kept_for text,
     lease_ms integer,
     expires_at timestamptz);
   CREATE INDEX ON ${SCHEMA}.locks (scope);
   CREATE TABLE ${SCHEMA}.waiters (
     ticket bigserial PRIMARY KEY,
     scope text NOT NULL,
     agent_id text NOT NULL,
     paths jsonb NOT NULL,
     pid integer NOT NULL,
     pid_start bigint,
     host text NOT NULL,
     boot_id text,
     since timestamptz NOT NULL,
     heartbeat timestamptz NOT NULL,
     lease_ms integer NOT NULL);
   CREATE INDEX ON ${SCHEMA}.waiters (scope, ticket);
   CREATE TABLE ${SCHEMA}.agents (
     scope text NOT NULL,
     agent_id text NOT NULL,
     entry jsonb NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (scope, agent_id));
   CREATE TABLE ${SCHEMA}.history (id bigserial PRIMARY KEY, scope text NOT NULL, entry jsonb NOT NULL);
   CREATE INDEX ON ${SCHEMA}.history (scope, id);
   CREATE TABLE ${SCHEMA}.conflicts (id bigserial PRIMARY KEY, scope text NOT NULL, entry jsonb NOT NULL);
   CREATE INDEX ON ${SCHEMA}.conflicts (scope, id);
   CREATE TABLE ${SCHEMA}.messages (
     seq bigserial PRIMARY KEY,
     scope text NOT NULL,
     to_agent text NOT NULL,
     from_agent text NOT NULL,
     kind text NOT NULL CHECK (kind IN ('message', 'end')),
     record jsonb,
     state text NOT NULL DEFAULT 'unread' CHECK (state IN ('unread', 'claimed', 'read')),
     claimer_host text,
     claimer_boot text,
     claimer_pid integer,
     claimer_start bigint,
     claimed_at timestamptz,
     read_at timestamptz);
   CREATE INDEX ON ${SCHEMA}.messages (scope, to_agent, state, seq);`,
];

/** The version this database's schema is at, or null when there is none yet. */
async function currentVersion(session: Session): Promise<number | null> {
  const exists = await session.query(`SELECT to_regclass('${SCHEMA}.schema_version') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return null;
  const row = await session.query(`SELECT max(version) AS version FROM ${SCHEMA}.schema_version`);
  return Number(row.rows[0]?.version ?? 0);
}

/** The same, in one query outside a transaction (the fast path of every process's first call). */
async function versionAtOnce(session: Session): Promise<number | null> {
  try {
    const row = await session.query(`SELECT max(version) AS version FROM ${SCHEMA}.schema_version`);
    return Number(row.rows[0]?.version ?? 0);
  } catch (error) {
    // No schema or no table yet (undefined_table, invalid_schema_name): to be made.
    if (['42P01', '3F000'].includes((error as { code?: string }).code ?? '')) return null;
    throw error;
  }
}

function refuseNewer(version: number): never {
  throw new AgentvisorError(
    'STORE_SCHEMA',
    `the database's agentvisor schema is version ${version}, newer than this agentvisor's (${SCHEMA_VERSION}): upgrade agentvisor`,
    { version, supported: SCHEMA_VERSION },
  );
}

/**
 * Make the schema current. The fast path is one query; otherwise one transaction under the
 * migration lock applies what is missing. No permission to create it: STORE_SCHEMA, nothing made.
 */
export async function ensureSchema(session: Session): Promise<void> {
  const seen = await versionAtOnce(session);
  if (seen === SCHEMA_VERSION) return;
  if (seen !== null && seen > SCHEMA_VERSION) refuseNewer(seen);
  await session.query('BEGIN');
  try {
    await session.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    const version = (await currentVersion(session)) ?? 0;
    if (version > SCHEMA_VERSION) refuseNewer(version);
    for (let next = version + 1; next <= SCHEMA_VERSION; next++) {
      await session.query(MIGRATIONS[next - 1]!);
      await session.query(`UPDATE ${SCHEMA}.schema_version SET version = ${next}, migrated_at = now()`);
    }
    await session.query('COMMIT');
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    const code = (error as { code?: string }).code;
    if (code === '42501') {
      throw new AgentvisorError('STORE_SCHEMA', `no permission to create the agentvisor schema in this database (${(error as Error).message}); create it once as its owner, or grant CREATE`, { sqlstate: code });
    }
    throw error;
  }
}
