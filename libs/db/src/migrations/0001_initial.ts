import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * The first schema. Written with Kysely's schema builder so the same migration runs on PostgreSQL
 * and SQLite: `bigint` holds epoch milliseconds, `double precision` holds joules (float64).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('sites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('site_pue')
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('valid_from', 'bigint', (c) => c.notNull())
    .addColumn('pue', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('site_pue_pk', ['site_id', 'valid_from'])
    .execute();

  await db.schema
    .createTable('nodes')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.references('sites.id').onDelete('set null'))
    .execute();

  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint')
    .execute();

  await db.schema
    .createTable('grid_intensity')
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('period_start', 'bigint', (c) => c.notNull())
    .addColumn('period_end', 'bigint', (c) => c.notNull())
    .addColumn('g_per_kwh', 'double precision', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('revised_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('grid_intensity_pk', ['region', 'kind', 'period_start'])
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('inferred', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('name', 'text')
    .addColumn('user', 'text')
    .addColumn('team', 'text')
    .addColumn('project', 'text')
    .addColumn('cluster', 'text')
    .addColumn('scheduler', 'text')
    .addColumn('scheduler_job_id', 'text')
    .addColumn('labels', 'text')
    .addColumn('forecast_id', 'text')
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('exit_code', 'integer')
    .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_team_idx').on('jobs').columns(['team', 'first_seen_at']).execute();
  await db.schema.createIndex('jobs_user_idx').on('jobs').columns(['user', 'first_seen_at']).execute();

  await db.schema
    .createTable('energy_buckets')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('device_kind', 'text', (c) => c.notNull())
    .addColumn('minute_start', 'bigint', (c) => c.notNull())
    .addColumn('hour_start', 'bigint', (c) => c.notNull())
    .addColumn('joules', 'double precision', (c) => c.notNull())
    .addColumn('samples', 'integer', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull())
    .addColumn('peak_power_w', 'double precision')
    .addPrimaryKeyConstraint('energy_buckets_pk', ['job_id', 'node', 'device', 'minute_start'])
    .execute();
  await db.schema.createIndex('energy_buckets_hour_idx').on('energy_buckets').columns(['hour_start', 'node']).execute();

  await db.schema
    .createTable('ingested_batches')
    .addColumn('batch_key', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('boot_id', 'text', (c) => c.notNull())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('first_seq', 'bigint', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('first_t0', 'bigint', (c) => c.notNull())
    .addColumn('last_t1', 'bigint', (c) => c.notNull())
    .addColumn('samples', 'integer', (c) => c.notNull())
    .addColumn('joules', 'double precision', (c) => c.notNull())
    .addColumn('ingested_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ingested_batches_boot_idx').on('ingested_batches').columns(['agent_id', 'boot_id', 'first_seq']).execute();

  await db.schema
    .createTable('seq_gaps')
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('boot_id', 'text', (c) => c.notNull())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('from_seq', 'bigint', (c) => c.notNull())
    .addColumn('to_seq', 'bigint', (c) => c.notNull())
    .addColumn('from_t', 'bigint', (c) => c.notNull())
    .addColumn('to_t', 'bigint', (c) => c.notNull())
    .addColumn('detected_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('seq_gaps_pk', ['agent_id', 'boot_id', 'from_seq'])
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('team', 'text')
    .addColumn('agent_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();

  await db.schema
    .createTable('dead_letters')
    .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('applied_events')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('forecasts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('energy_kwh_p50', 'double precision', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'forecasts',
    'applied_events',
    'dead_letters',
    'api_tokens',
    'seq_gaps',
    'ingested_batches',
    'energy_buckets',
    'jobs',
    'grid_intensity',
    'agents',
    'nodes',
    'site_pue',
    'sites',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
