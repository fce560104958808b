import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * ingested_batches keeps one row per batch (17,280 a day for a node sending every 5 s), so with
 * WATTPRINT_BATCH_KEY_RETENTION_DAYS set the collector deletes rows whose samples ended long ago.
 * That delete looks rows up by last_t1. Rows arrive in roughly last_t1 order, so on PostgreSQL a BRIN
 * index (a few pages for millions of rows, next to nothing per insert) finds them; SQLite has no
 * BRIN, and a B-tree there is the price of the delete.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect === 'postgres') {
    await sql`CREATE INDEX IF NOT EXISTS ingested_batches_last_t1_brin ON ingested_batches USING brin (last_t1)`.execute(db);
    return;
  }
  await db.schema.createIndex('ingested_batches_last_t1_idx').ifNotExists().on('ingested_batches').column('last_t1').execute();
}

export async function down(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .dropIndex(dialect === 'postgres' ? 'ingested_batches_last_t1_brin' : 'ingested_batches_last_t1_idx')
    .ifExists()
    .execute();
}
