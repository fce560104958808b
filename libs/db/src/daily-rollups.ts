import { type Kysely, type RawBuilder, type Transaction, sql } from 'kysely';

/** A UTC day, ms: the grain of the daily rollups. */
const DAY_MS = 86_400_000;

export const dayStartOf = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

/**
 * The daily rollups (energy_group_daily, energy_node_daily) are a cache of the hourly ones with
 * emissions applied, so every change to what a day sums or is priced with marks the day here:
 * energy folded into it or arriving late, a job regrouped, a node moved, an intensity period or a
 * PUE schedule written, hours past retention. Readers take a marked day from the hours, which are
 * always current, and the collector derives it again (reports/daily); a mark is the same transaction
 * as its change, so no reader sees the change without the mark.
 *
 * Each mark bumps the day's version: a derivation removes the mark only if the version is the one it
 * read before reading the factors and hours, so a change that lands meanwhile leaves the day marked.
 * Days are marked in ascending order, one statement, so two writers never wait on each other's days
 * in opposite orders.
 */
function upsertMarks(select: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`INSERT INTO daily_dirty (day_start, version) ${select}
    ON CONFLICT (day_start) DO UPDATE SET version = daily_dirty.version + 1`;
}

/** Marks the given days (any instants: each marks its UTC day). */
export async function markDaysDirty<DB>(tx: Kysely<DB> | Transaction<DB>, instants: Iterable<number>): Promise<void> {
  const days = [...new Set([...instants].map(dayStartOf))].sort((a, b) => a - b);
  if (days.length === 0) return;
  const db = tx as unknown as Kysely<unknown>;
  for (let i = 0; i < days.length; i += 1000) {
    // VALUES columns are column1, column2 on both databases; a bare parameter would be text on PostgreSQL
    const values = sql.join(days.slice(i, i + 1000).map((d) => sql`(CAST(${d} AS bigint), 1)`));
    await upsertMarks(sql`SELECT column1, column2 FROM (VALUES ${values}) AS marked WHERE true ORDER BY 1`).execute(db);
  }
}

/**
 * Marks the day of every hour `hours` returns (a query whose one column is `hour_start`). SQLite
 * needs the WHERE before ON CONFLICT, or it reads the conflict clause as a join's.
 */
export async function markDaysOfHours<DB>(tx: Kysely<DB> | Transaction<DB>, hours: RawBuilder<unknown>): Promise<void> {
  await upsertMarks(
    sql`SELECT DISTINCT hour_start - hour_start % ${sql.lit(DAY_MS)}, 1 FROM (${hours}) AS marked WHERE true ORDER BY 1`,
  ).execute(tx as unknown as Kysely<unknown>);
}
