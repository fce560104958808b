import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect';
import { sumJobTotals } from '../job-totals';

/**
 * energy_job_total: each job's daily rows (energy_job_daily) summed, one row a job, for the
 * dashboards' top jobs and job count over months: a year of 1,000 GPUs is 1.46 M job-days, summed or
 * counted by job on every read (2.8-3.6 s; docs/scale.md). A job whose days all lie in a range's
 * whole days, none of them marked, has its range's sum here; the panels sum the daily rows only of
 * the jobs crossing the range's edges, spanning sites or touching a marked day
 * (libs/dashboards/src/sql/job-totals.sql.ts). Kept in the transaction that derives a day
 * and retention deletes days (libs/db/src/job-totals.ts), so it equals the sum of the daily rows it
 * summarises whenever those commit.
 *
 * site_key is the job's one site ('' for none), NULL when its days span more than one; first_day and
 * last_day are its first and last daily row's day. PostgreSQL finds the jobs whose days straddle an
 * instant through a GiST index on their span; SQLite, whose dashboards do not exist, keeps the table
 * for the same tests and code.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('energy_job_total')
    .addColumn('job_id', 'text', (c) => c.primaryKey())
    .addColumn('site_key', 'text')
    .addColumn('team', 'text')
    .addColumn('project', 'text')
    .addColumn('first_day', 'bigint', (c) => c.notNull())
    .addColumn('last_day', 'bigint', (c) => c.notNull())
    .addColumn('joules', 'double precision', (c) => c.notNull())
    .addColumn('gpu_ms', 'bigint', (c) => c.notNull())
    .addColumn('facility_joules', 'double precision', (c) => c.notNull())
    .addColumn('grams', 'double precision', (c) => c.notNull())
    .execute();
  // top jobs: the most CO2eq first; the job count: the jobs whose days lie in a range, with what it
  // filters on (PostgreSQL counts them from the index alone); jobs on more than one site, a few
  await sql`CREATE INDEX energy_job_total_grams ON energy_job_total (grams DESC, job_id)`.execute(db);
  await (
    dialect === 'postgres'
      ? sql`CREATE INDEX energy_job_total_days ON energy_job_total (first_day, last_day) INCLUDE (job_id, site_key, team, project)`
      : sql`CREATE INDEX energy_job_total_days ON energy_job_total (first_day, last_day)`
  ).execute(db);
  await sql`CREATE INDEX energy_job_total_multi_site ON energy_job_total (first_day) WHERE site_key IS NULL`.execute(db);
  // a job's days by job, to sum them again when one of them is derived
  await sql`CREATE INDEX energy_job_daily_job ON energy_job_daily (job_id, day_start)`.execute(db);
  if (dialect === 'postgres') {
    await sql`CREATE INDEX energy_job_total_span ON energy_job_total USING gist (int8range(first_day, last_day, '[]'))`.execute(db);
  }
  await sumJobTotals(db, sql`TRUE`);
}

export async function down(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await sql`DROP INDEX energy_job_daily_job`.execute(db);
  await db.schema.dropTable('energy_job_total').execute();
}
