import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * Drops migration 0013's GiST index on intensity periods: the dashboards now resolve a range's
 * intensity set-based (each period spread over the hours it overlaps and hash-joined to them,
 * libs/dashboards/src/sql/emission-factors.sql.ts), so nothing looks periods up one by one any more,
 * and every intensity write kept the index up for nothing. PostgreSQL only, as 0013.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`DROP INDEX IF EXISTS grid_intensity_period_range_idx`.execute(db);
}

export async function down(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`CREATE INDEX IF NOT EXISTS grid_intensity_period_range_idx ON grid_intensity
    USING gist (int8range(period_start, period_end, '[]'))`.execute(db);
}
