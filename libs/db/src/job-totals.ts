import { type Kysely, type RawBuilder, type Transaction, sql } from 'kysely';
import type { DialectName } from './dialect';

/**
 * energy_job_total is the sum of each job's daily rows (migration 0019). Whatever writes
 * energy_job_daily sums again the totals of the jobs whose rows it wrote or removed: deriving a day
 * in the same transaction (reports/daily); retention, which deletes old days in chunks, right after,
 * a thousand jobs a transaction (rollups/retention).
 * Callers serialise these writers (lockJobTotals): two days of one job derived at once by two
 * replicas would each sum the job without the other's day.
 */
const COLUMNS = sql`(job_id, site_key, team, project, first_day, last_day, joules, gpu_ms, facility_joules, grams)`;

/**
 * Sums again from the daily rows the totals of the jobs `jobIds` returns (a query whose one column
 * is `job_id`), or of every job when it is left out (migration 0019).
 */
export async function refreshJobTotals<DB>(tx: Kysely<DB> | Transaction<DB>, jobIds?: RawBuilder<unknown>): Promise<void> {
  const db = tx as unknown as Kysely<unknown>;
  const these = jobIds === undefined ? sql`TRUE` : sql`job_id IN (${jobIds})`;
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
