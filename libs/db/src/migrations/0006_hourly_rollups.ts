import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect';
import { BUCKETS_DEFAULT_PARTITION, ensureBucketPartitionIn, monthsBetween } from '../partitions';

/**
 * Long ranges without scanning minutes:
 * - energy_hourly: the ledger per (job, node, device, hour). The collector folds closed hours of
 *   energy_buckets into it (rollup_state.folded_until: every hour before it is folded; null: none
 *   yet, the first pass starts at the oldest bucket), and ingest adds a late batch's energy to both.
 *   rollup_state.minutes_from: minutes before it may be gone (retention); readers take hours there.
 * - PostgreSQL: energy_buckets becomes partitioned by month of minute_start (with a default
 *   partition), so retention drops a month instead of deleting its rows. Its rows move over.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('energy_hourly')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('device_kind', 'text', (c) => c.notNull())
    .addColumn('hour_start', 'bigint', (c) => c.notNull())
    .addColumn('joules', 'double precision', (c) => c.notNull())
    .addColumn('samples', 'integer', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull())
    .addColumn('peak_power_w', 'double precision')
    .addPrimaryKeyConstraint('energy_hourly_pk', ['job_id', 'node', 'device', 'hour_start'])
    .execute();
  await db.schema.createIndex('energy_hourly_hour_idx').on('energy_hourly').columns(['hour_start', 'node']).execute();
  await db.schema
    .createTable('rollup_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('folded_until', 'bigint')
    .addColumn('folded_at', 'bigint')
    .addColumn('minutes_from', 'bigint')
    .execute();
  await sql`INSERT INTO rollup_state (id, folded_until, folded_at, minutes_from) VALUES (1, NULL, NULL, NULL)`.execute(db);
  if (dialect !== 'postgres') return;

  await sql`ALTER TABLE energy_buckets RENAME TO energy_buckets_unpartitioned`.execute(db);
  await sql`ALTER TABLE energy_buckets_unpartitioned RENAME CONSTRAINT energy_buckets_pk TO energy_buckets_unpartitioned_pk`.execute(db);
  await sql`ALTER INDEX energy_buckets_hour_idx RENAME TO energy_buckets_unpartitioned_hour_idx`.execute(db);
  await sql`CREATE TABLE energy_buckets (LIKE energy_buckets_unpartitioned INCLUDING DEFAULTS) PARTITION BY RANGE (minute_start)`.execute(
    db,
  );
  await sql`ALTER TABLE energy_buckets ADD CONSTRAINT energy_buckets_pk PRIMARY KEY (job_id, node, device, minute_start)`.execute(db);
  await sql`CREATE INDEX energy_buckets_hour_idx ON energy_buckets (hour_start, node)`.execute(db);
  await sql`CREATE TABLE ${sql.id(BUCKETS_DEFAULT_PARTITION)} PARTITION OF energy_buckets DEFAULT WITH (fillfactor = 50)`.execute(db);
  const span = await sql<{ first: number | null; last: number | null }>`SELECT MIN(minute_start) AS first, MAX(minute_start) AS last
    FROM energy_buckets_unpartitioned`.execute(db);
  const now = Date.now();
  const first = Math.min(Number(span.rows[0].first ?? now), now);
  const last = Math.max(Number(span.rows[0].last ?? now), now);
  // the months holding data (a bounded number: minute retention keeps a few), and the next two
  for (const month of monthsBetween(Math.max(first, last - 400 * 86_400_000), last + 62 * 86_400_000)) {
    await ensureBucketPartitionIn(db, month);
  }
  await sql`INSERT INTO energy_buckets SELECT * FROM energy_buckets_unpartitioned`.execute(db);
  await sql`DROP TABLE energy_buckets_unpartitioned`.execute(db);
}

export async function down(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect === 'postgres') {
    await sql`CREATE TABLE energy_buckets_flat (LIKE energy_buckets INCLUDING DEFAULTS) WITH (fillfactor = 50)`.execute(db);
    await sql`INSERT INTO energy_buckets_flat SELECT * FROM energy_buckets`.execute(db);
    await sql`DROP TABLE energy_buckets`.execute(db);
    await sql`ALTER TABLE energy_buckets_flat RENAME TO energy_buckets`.execute(db);
    await sql`ALTER TABLE energy_buckets ADD CONSTRAINT energy_buckets_pk PRIMARY KEY (job_id, node, device, minute_start)`.execute(db);
    await sql`CREATE INDEX energy_buckets_hour_idx ON energy_buckets (hour_start, node)`.execute(db);
  }
  await db.schema.dropTable('energy_hourly').execute();
}
