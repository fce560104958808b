import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect';
import { markDaysOfHours } from '../daily-rollups';

/**
 * energy_job_daily: energy_hourly summed per (UTC day, job, site) with its emissions applied, and
 * the job's team and project, for the dashboards' top jobs and job count: a month of 1,000 GPUs was
 * 720,000 hourly rows priced one by one and summed by job (1.1-1.4 s), and a year's filters by team
 * and project looked up each of 1.46 M jobs (> 10 s; docs/scale.md). Kept like the other daily
 * rollups (0017): derived for the days daily_dirty marks (a job event changing a job's team or
 * project marks its days), which this migration does for every day with energy.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('energy_job_daily')
    .addColumn('day_start', 'bigint', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('site_key', 'text', (c) => c.notNull())
    .addColumn('team', 'text')
    .addColumn('project', 'text')
    .addColumn('joules', 'double precision', (c) => c.notNull())
    .addColumn('gpu_ms', 'bigint', (c) => c.notNull())
    .addColumn('facility_joules', 'double precision', (c) => c.notNull())
    .addColumn('grams', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('energy_job_daily_pk', ['day_start', 'job_id', 'site_key'])
    .execute();
  await markDaysOfHours(db, sql`SELECT hour_start FROM energy_node_hourly`);
}

export async function down(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.dropTable('energy_job_daily').execute();
}
