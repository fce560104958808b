import { type Kysely, type Transaction, sql } from 'kysely';
import type { DialectName } from './dialect';

/**
 * The lock between folding closed hours into energy_hourly and ingest: a commit holds it shared, a
 * fold exclusively. A fold thus sees every commit that read the old watermark, and a commit that
 * starts after a fold reads the new one, so a late batch's energy lands in the hourly rows exactly
 * when its hour is already folded. PostgreSQL: a transaction-scoped advisory lock keyed by schema.
 * SQLite needs none: its one writer serialises the two (the caller takes the write lock first).
 */
export async function lockRollups<DB>(tx: Kysely<DB> | Transaction<DB>, dialect: DialectName, mode: 'shared' | 'exclusive'): Promise<void> {
  if (dialect !== 'postgres') return;
  const key = sql`hashtext(current_schema() || '.rollups')`;
  const db = tx as unknown as Kysely<unknown>;
  if (mode === 'shared') await sql`SELECT pg_advisory_xact_lock_shared(${key})`.execute(db);
  else await sql`SELECT pg_advisory_xact_lock(${key})`.execute(db);
}
