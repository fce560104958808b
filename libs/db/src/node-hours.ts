import { type Kysely, type RawBuilder, type Transaction, sql } from 'kysely';

/**
 * energy_node_hourly as a sum of energy_hourly: the rows of every (hour, node, device kind) whose
 * hour lies in [from, to). The fold runs it over the hours it has just written, migration 0012 over
 * everything. Idle energy is the energy of the idle job (''). Rows go in in time order, so an hour's
 * rows share pages, as the ones ingest writes do.
 */
export function nodeHoursFromHourly(from: number | null, to: number | null): RawBuilder<unknown> {
  const where = [...(from === null ? [] : [sql`hour_start >= ${from}`]), ...(to === null ? [] : [sql`hour_start < ${to}`])];
  return sql`INSERT INTO energy_node_hourly (hour_start, node, device_kind, joules, idle_joules, samples, duration_ms)
    SELECT hour_start, node, device_kind, SUM(joules), SUM(CASE WHEN job_id = '' THEN joules ELSE 0 END), SUM(samples), SUM(duration_ms)
    FROM energy_hourly ${where.length === 0 ? sql`` : sql`WHERE ${sql.join(where, sql` AND `)}`}
    GROUP BY hour_start, node, device_kind ORDER BY hour_start, node, device_kind`;
}

/**
 * One fold: the minutes of [from, to) summed into energy_hourly, then those hours into
 * energy_node_hourly. `from` and `to` are whole hours none of which is folded yet, so both are plain
 * inserts. The caller holds the rollup lock (lockRollups) and moves the watermark in the same
 * transaction.
 */
export async function foldHours<DB>(tx: Kysely<DB> | Transaction<DB>, from: number, to: number): Promise<void> {
  const db = tx as unknown as Kysely<unknown>;
  await sql`INSERT INTO energy_hourly (job_id, node, device, device_kind, hour_start, joules, samples, duration_ms, peak_power_w)
    SELECT job_id, node, device, device_kind, hour_start, SUM(joules), SUM(samples), SUM(duration_ms), MAX(peak_power_w)
    FROM energy_buckets WHERE minute_start >= ${from} AND minute_start < ${to}
    GROUP BY job_id, node, device, device_kind, hour_start`.execute(db);
  await nodeHoursFromHourly(from, to).execute(db);
}
