import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * A bucket row is inserted once and then updated by every batch of its minute (12 per device at
 * 5 s batches). Updates touch no indexed column, so PostgreSQL can make them heap-only (HOT: no new
 * index entries, no index clean-up) when the row's page has room for the new version. Leaving half
 * of each page free gives them that room; pruning reclaims it. SQLite updates in place: nothing to do.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`ALTER TABLE energy_buckets SET (fillfactor = 50)`.execute(db);
}

export async function down(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`ALTER TABLE energy_buckets RESET (fillfactor)`.execute(db);
}
