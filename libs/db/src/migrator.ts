import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { DialectName } from './dialect';
import { withSchemaCatalog } from './schema-catalog';
import * as m0001 from './migrations/0001_initial';
import * as m0002 from './migrations/0002_ingested_batches_agent_seq';
import * as m0003 from './migrations/0003_energy_buckets_fillfactor';
import * as m0004 from './migrations/0004_job_provenance';
import * as m0006 from './migrations/0006_hourly_rollups';
import * as m0008 from './migrations/0008_ingested_batches_last_t1';
import * as m0009 from './migrations/0009_budgets_alerts';
import * as m0010 from './migrations/0010_calibration_searches';
import * as m0011 from './migrations/0011_grid_intensity_period_indexes';
import * as m0012 from './migrations/0012_node_hourly_rollups';
import * as m0013 from './migrations/0013_grid_intensity_period_ranges';
import * as m0014 from './migrations/0014_site_hourly_rollups';
import * as m0015 from './migrations/0015_group_hourly_rollups';
import * as m0016 from './migrations/0016_drop_grid_intensity_period_ranges';
import * as m0017 from './migrations/0017_daily_rollups';
import * as m0018 from './migrations/0018_job_daily_rollups';
import * as m0019 from './migrations/0019_job_totals';
import * as m0020 from './migrations/0020_rollup_expression_statistics';
import * as m0021 from './migrations/0021_job_counts_daily';
import * as m0022 from './migrations/0022_group_daily_team_index';

type DialectMigration = {
  up(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
  down?(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
};

/**
 * Migrations in order. Kysely applies them by name and refuses a database whose applied migrations
 * are not a prefix of this list, so a new one takes a number above every one before it (not a free
 * gap below: 0005 after 0006 had shipped stopped every existing database from starting), and none
 * that has shipped is ever renamed or edited. db.spec.ts upgrades a database from each earlier state.
 */
const MIGRATIONS: Record<string, DialectMigration> = {
  '0001_initial': m0001,
  '0002_ingested_batches_agent_seq': m0002,
  '0003_energy_buckets_fillfactor': m0003,
  '0004_job_provenance': m0004,
  '0006_hourly_rollups': m0006,
  '0008_ingested_batches_last_t1': m0008,
  '0009_budgets_alerts': m0009,
  '0010_calibration_searches': m0010,
  '0011_grid_intensity_period_indexes': m0011,
  '0012_node_hourly_rollups': m0012,
  '0013_grid_intensity_period_ranges': m0013,
  '0014_site_hourly_rollups': m0014,
  '0015_group_hourly_rollups': m0015,
  '0016_drop_grid_intensity_period_ranges': m0016,
  '0017_daily_rollups': m0017,
  '0018_job_daily_rollups': m0018,
  '0019_job_totals': m0019,
  '0020_rollup_expression_statistics': m0020,
  '0021_job_counts_daily': m0021,
  '0022_group_daily_team_index': m0022,
};

/** The migrations' names, in the order they apply. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

/** Migrations live in code (not read from a folder) so they run the same from sources and from the build. */
class InlineMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(MIGRATIONS).map(([name, m]) => [
        name,
        {
          up: (db: Kysely<unknown>) => m.up(db, this.dialect),
          down: m.down ? (db: Kysely<unknown>) => m.down!(db, this.dialect) : undefined,
        },
      ]),
    );
  }
}

export class MigrationError extends Error {
  constructor(
    readonly migration: string | undefined,
    override readonly cause: unknown,
  ) {
    super(`migration ${migration ?? '(unknown)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'MigrationError';
  }
}

/**
 * Brings the schema up to date. Safe to call from every replica at start. On PostgreSQL Kysely
 * holds an advisory lock, so one replica migrates and the others wait. SQLite has no such lock
 * across processes: two replicas starting on one file can both decide a migration is due, and the
 * loser's transaction fails (the table exists, or the file is busy) and rolls back whole. The loser
 * then simply looks again, and finds the work done. Returns the names this call applied.
 */
export async function migrateToLatest<DB>(
  database: Kysely<DB>,
  dialect: DialectName,
  /** Stop after this migration: a database as an earlier version left it (for upgrade tests). */
  through?: string,
): Promise<string[]> {
  // Migrations see the schema as it was when they were written, not today's table types.
  const db = database as unknown as Kysely<unknown>;
  if (through !== undefined && !MIGRATION_NAMES.includes(through)) throw new Error(`no migration named ${through}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(db, dialect, through);
    } catch (error) {
      if (dialect !== 'sqlite' || !isSqliteRace(error) || attempt >= MIGRATION_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

const MIGRATION_ATTEMPTS = 10;

function isSqliteRace(error: unknown): boolean {
  const cause = error instanceof MigrationError ? error.cause : error;
  const code = (cause as { code?: unknown } | null)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) || /already exists/.test(message);
}

async function migrateOnce(db: Kysely<unknown>, dialect: DialectName, through: string | undefined): Promise<string[]> {
  // PostgreSQL: Kysely's bookkeeping tables pinned to the connection's own schema (without it the
  // migrator looks for its lock table in every schema of the database and can find another tenant's),
  // and looked for in that schema alone (SchemaCatalog says why).
  const schema = dialect === 'postgres' ? await currentSchema(db) : undefined;
  const migrator = new Migrator({
    db: schema === undefined ? db : withSchemaCatalog(db, schema),
    provider: new InlineMigrationProvider(dialect),
    migrationTableSchema: schema,
  });
  const { error, results } = await (through === undefined ? migrator.migrateToLatest() : migrator.migrateTo(through));
  const failed = results?.find((r) => r.status === 'Error');
  if (error) throw new MigrationError(failed?.migrationName, error);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

async function currentSchema(db: Kysely<unknown>): Promise<string> {
  const { rows } = await sql<{ s: string | null }>`select current_schema() as s`.execute(db);
  const schema = rows[0]?.s;
  if (!schema) throw new Error("the database URL's search_path names no schema that exists: create it, or name one that does");
  return schema;
}
