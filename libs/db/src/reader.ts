import { type Kysely, sql } from 'kysely';
import type { DialectName } from './dialect';

/**
 * What a read-only role (Grafana's) may read: the ledger and what it is priced with, never a secret.
 * Left out on purpose: agents (their HMAC keys: read agents_public instead), api_tokens (token
 * hashes), dead_letters (whole messages as received) and applied_events. A table a migration adds is
 * readable only once it is listed here.
 */
export const READER_TABLES = [
  'sites',
  'site_pue',
  'nodes',
  'agents_public',
  'grid_intensity',
  'jobs',
  'job_nodes',
  'energy_buckets',
  'energy_hourly',
  'energy_node_hourly',
  'energy_site_hourly',
  'energy_group_hourly',
  'energy_group_daily',
  'energy_node_daily',
  'energy_job_daily',
  'energy_job_total',
  'energy_job_count_daily',
  'daily_dirty',
  'rollup_state',
  'ingested_batches',
  'seq_gaps',
  'forecasts',
  'calibration_fits',
  'forecast_outcomes',
  'searches',
] as const;

/** A PostgreSQL role name we are willing to splice into GRANT (quoted, but still: no surprises). */
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class ReaderRoleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReaderRoleError';
  }
}

/**
 * Gives `role` SELECT on READER_TABLES of the connection's schema and nothing else there: grants
 * made before (a blanket SELECT on every table, default privileges on future tables) are revoked
 * first. Idempotent; run after every migration. PostgreSQL only (SQLite has no roles).
 */
export async function grantReader<DB>(database: Kysely<DB>, dialect: DialectName, role: string): Promise<void> {
  const db = database as unknown as Kysely<unknown>;
  if (dialect !== 'postgres') throw new ReaderRoleError('a reader role needs PostgreSQL: SQLite has no roles');
  if (!ROLE_NAME.test(role)) throw new ReaderRoleError(`reader role "${role}": expected a lower-case PostgreSQL role name`);
  const exists = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_roles WHERE rolname = ${role}`.execute(db);
  if (exists.rows[0].n === 0)
    throw new ReaderRoleError(`reader role "${role}" does not exist: create it first (deploy/postgres/10-grafana-reader.sh)`);
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  const schema = sql.id(rows[0].schema);
  const who = sql.id(role);
  await db.transaction().execute(async (tx) => {
    await sql`REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${who}`.execute(tx);
    await sql`ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} REVOKE ALL ON TABLES FROM ${who}`.execute(tx);
    await sql`GRANT USAGE ON SCHEMA ${schema} TO ${who}`.execute(tx);
    await sql`GRANT SELECT ON ${sql.join(READER_TABLES.map((t) => sql`${schema}.${sql.id(t)}`))} TO ${who}`.execute(tx);
  });
}
