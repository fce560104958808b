import { type Kysely, sql } from 'kysely';

/**
 * PostgreSQL keeps energy_buckets (the minute record) partitioned by month of minute_start, so
 * dropping a month past retention is a partition drop, not a delete. Partitions are named
 * energy_buckets_pYYYY_MM; energy_buckets_default takes rows of a month without one (far in the
 * past, or ahead of what was created).
 */
export const BUCKETS_TABLE = 'energy_buckets';
export const BUCKETS_DEFAULT_PARTITION = 'energy_buckets_default';

export interface MonthRange {
  /** epoch ms of the first instant of the month, UTC */
  from: number;
  /** epoch ms of the first instant of the next month */
  to: number;
  name: string;
}

/** The month holding `ms`, UTC. */
export function monthOf(ms: number): MonthRange {
  const d = new Date(ms);
  const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const to = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { from, to, name: `${BUCKETS_TABLE}_p${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}` };
}

/** Every month overlapping [from, to). */
export function monthsBetween(from: number, to: number): MonthRange[] {
  const months: MonthRange[] = [];
  for (let m = monthOf(from); m.from < to; m = monthOf(m.to)) months.push(m);
  return months;
}

/** The monthly partitions that exist, oldest first. */
export async function listBucketPartitions<DB>(database: Kysely<DB>): Promise<MonthRange[]> {
  const db = database as unknown as Kysely<unknown>;
  const { rows } = await sql<{ name: string }>`SELECT c.relname AS name FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      JOIN pg_namespace n ON n.oid = p.relnamespace
      WHERE p.relname = ${BUCKETS_TABLE} AND n.nspname = current_schema()`.execute(db);
  return rows
    .map((r) => /_p(\d{4})_(\d{2})$/.exec(r.name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => monthOf(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)))
    .sort((a, b) => a.from - b.from);
}

/**
 * Creates the monthly partition of `month` when it is missing. Rows of that month already in the
 * default partition move into it in the same transaction (PostgreSQL refuses to attach a range the
 * default partition holds rows of). Safe to call from several collectors at once: a transaction
 * advisory lock serialises them, and a partition that exists is left alone.
 */
export async function ensureBucketPartition<DB>(database: Kysely<DB>, month: MonthRange): Promise<boolean> {
  const db = database as unknown as Kysely<unknown>;
  return db.transaction().execute((tx) => ensureBucketPartitionIn(tx, month));
}

/** ensureBucketPartition inside a transaction the caller holds (a migration's). */
export async function ensureBucketPartitionIn(tx: Kysely<unknown>, month: MonthRange): Promise<boolean> {
  {
    await sql`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.energy_buckets partitions'))`.execute(tx);
    const exists = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relname = ${month.name} AND n.nspname = current_schema()`.execute(tx);
    if (exists.rows[0].n > 0) return false;
    const part = sql.id(month.name);
    await sql`CREATE TABLE ${part} (LIKE ${sql.id(BUCKETS_TABLE)} INCLUDING DEFAULTS) WITH (fillfactor = 50)`.execute(tx);
    await sql`INSERT INTO ${part} SELECT * FROM ${sql.id(BUCKETS_DEFAULT_PARTITION)}
        WHERE minute_start >= ${month.from} AND minute_start < ${month.to}`.execute(tx);
    await sql`DELETE FROM ${sql.id(BUCKETS_DEFAULT_PARTITION)} WHERE minute_start >= ${month.from} AND minute_start < ${month.to}`.execute(
      tx,
    );
    await sql`ALTER TABLE ${sql.id(BUCKETS_TABLE)} ATTACH PARTITION ${part}
        FOR VALUES FROM (${sql.lit(month.from)}) TO (${sql.lit(month.to)})`.execute(tx);
    return true;
  }
}

/** Drops the monthly partitions that end at or before `before`; returns their names. */
export async function dropBucketPartitionsBefore<DB>(database: Kysely<DB>, before: number): Promise<string[]> {
  const db = database as unknown as Kysely<unknown>;
  const dropped: string[] = [];
  for (const month of await listBucketPartitions(db)) {
    if (month.to > before) break;
    await db.transaction().execute(async (tx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.energy_buckets partitions'))`.execute(tx);
      await sql`DROP TABLE IF EXISTS ${sql.id(month.name)}`.execute(tx);
    });
    dropped.push(month.name);
  }
  return dropped;
}
