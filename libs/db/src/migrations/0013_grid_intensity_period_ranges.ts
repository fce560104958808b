import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * The dashboards' SQL looks up, for each stretch of an hour, the periods of a region that cover it
 * (start at or before, end at or after). Neither bound alone is selective: for an hour a year back,
 * "ends at or after" is every later period, 4,400 rows a lookup, and resolving a year of hours took
 * 10.5 s of an 18 s panel (docs/scale.md). A GiST index on the period as a range finds the covering
 * periods directly (`@>`). PostgreSQL only: SQLite has no dashboards, and the collector reads a
 * region's periods by time range, which migration 0011's indexes serve.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`CREATE INDEX IF NOT EXISTS grid_intensity_period_range_idx ON grid_intensity
    USING gist (int8range(period_start, period_end, '[]'))`.execute(db);
}

export async function down(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`DROP INDEX IF EXISTS grid_intensity_period_range_idx`.execute(db);
}
