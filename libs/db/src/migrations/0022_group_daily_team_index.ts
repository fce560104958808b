import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * The daily rows by job group of one team, by day: a team viewer's reads, a budget's status and an
 * admission check all name a team, and read its days out of every team's (a year of 1,000 GPUs'
 * 146,000 rows scanned for one team's 7,300: the report's sums 22-24 ms, 11-17 ms by this index;
 * docs/scale.md).
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await sql`CREATE INDEX energy_group_daily_team ON energy_group_daily (team, day_start)`.execute(db);
}

export async function down(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await sql`DROP INDEX energy_group_daily_team`.execute(db);
}
