import { type Kysely, type RawBuilder, type Transaction, sql } from 'kysely';
import type { DialectName } from './dialect';

/**
 * energy_job_total is the sum of each job's daily rows (migration 0019), and energy_job_count_daily
 * counts those totals by first day, site, team and project (migration 0021). Whatever writes
 * energy_job_daily sums again the totals of the jobs whose rows it wrote or removed: deriving a day
 * in the same transaction (reports/daily); retention, which deletes old days in chunks, right after,
 * a thousand jobs a transaction (rollups/retention).
 * Callers serialise these writers (lockJobTotals): two days of one job derived at once by two
 * replicas would each sum the job without the other's day.
 */
const COLUMNS = sql`(job_id, site_key, team, project, first_day, last_day, joules, gpu_ms, facility_joules, grams)`;

/**
 * Sums again from the daily rows the totals of the jobs `jobIds` returns (a query whose one column
 * is `job_id`), or of every job when it is left out (migration 0019), and moves their counts from
 * the totals they had to the ones they have.
 */
export async function refreshJobTotals<DB>(tx: Kysely<DB> | Transaction<DB>, jobIds?: RawBuilder<unknown>): Promise<void> {
  const db = tx as unknown as Kysely<unknown>;
  const these = jobIds === undefined ? sql`TRUE` : sql`job_id IN (${jobIds})`;
  await countJobTotals(db, these, -1);
  await sumJobTotals(db, these);
  await countJobTotals(db, these, 1);
  // a count at zero says nothing: gone, so the table keeps only days with jobs (by the partial index)
  await sql`DELETE FROM energy_job_count_daily WHERE jobs = 0`.execute(db);
}

/**
 * The totals of the jobs `these` selects, summed again from their daily rows; their counts are left
 * as they were. Migration 0019 sums every job with it, before the counts exist.
 */
export async function sumJobTotals(db: Kysely<unknown>, these: RawBuilder<unknown>): Promise<void> {
  await sql`DELETE FROM energy_job_total WHERE ${these}`.execute(db);
  await sql`INSERT INTO energy_job_total ${COLUMNS}
    SELECT job_id, CASE WHEN MIN(site_key) = MAX(site_key) THEN MIN(site_key) ELSE NULL END,
      MAX(team), MAX(project), MIN(day_start), MAX(day_start),
      SUM(joules), SUM(gpu_ms), SUM(facility_joules), SUM(grams)
    FROM energy_job_daily
    WHERE ${these} AND job_id <> ''
    GROUP BY job_id`.execute(db);
}

/**
 * A team or project as one part of energy_job_count_daily's key: its length in characters, ':' and
 * itself, or '-' where missing (as the group rollups' key, libs/db/src/group-hours.ts), so '' and
 * none stay apart and no two pairs share a key.
 */
const keyPart = (column: 'team' | 'project') =>
  sql`CASE WHEN ${sql.ref(column)} IS NULL THEN '-' ELSE CAST(length(${sql.ref(column)}) AS TEXT) || ':' || ${sql.ref(column)} END`;
export const JOB_COUNT_KEY_SQL = sql<string>`${keyPart('team')} || ${keyPart('project')}`;

/**
 * Adds `sign` × the totals `these` selects to their counts: one a job on one site (site_key not
 * NULL), by its first day, site, team and project. A job on more than one site is not counted here:
 * the dashboards count those one by one (libs/dashboards/src/sql/job-totals.sql.ts).
 */
async function countJobTotals(db: Kysely<unknown>, these: RawBuilder<unknown>, sign: 1 | -1): Promise<void> {
  await sql`INSERT INTO energy_job_count_daily (first_day, site_key, team_project_key, team, project, jobs)
    SELECT first_day, site_key, ${JOB_COUNT_KEY_SQL}, MAX(team), MAX(project), ${sql.lit(sign)} * COUNT(*)
    FROM energy_job_total
    WHERE ${these} AND site_key IS NOT NULL
    GROUP BY first_day, site_key, ${JOB_COUNT_KEY_SQL}
    ON CONFLICT (first_day, site_key, team_project_key) DO UPDATE SET jobs = energy_job_count_daily.jobs + excluded.jobs`.execute(db);
}

/**
 * Serialises the writers of energy_job_total until the transaction ends, so each sums the daily rows
 * the one before it committed. PostgreSQL: an advisory lock keyed by schema; SQLite has one writer.
 */
export async function lockJobTotals<DB>(tx: Transaction<DB>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.energy_job_total'))`.execute(tx as unknown as Kysely<unknown>);
}

/** Job ids as a query whose one column is job_id, from one JSON parameter (for refreshJobTotals). */
export function jobIdsOf(dialect: DialectName, rows: ReadonlyArray<{ job_id: string }>): RawBuilder<unknown> {
  const json = JSON.stringify(rows.map((r) => r.job_id));
  return dialect === 'postgres'
    ? sql`SELECT jsonb_array_elements_text(${json}::jsonb) AS job_id`
    : sql`SELECT value AS job_id FROM json_each(${json})`;
}
