import type { Database, DialectName } from '@wattprint/db';
import { type Transaction, sql } from 'kysely';
import type { BucketRow, HourRow, NodeHourRow, SeenJob } from '../bucket-deltas';
import type { BatchSpan, PreparedBatch } from '../prepared-batch';
import type { SeqGap } from '../seq-gaps';
import { PostgresIngestDialect } from './postgres-ingest-dialect';
import { SqliteIngestDialect } from './sqlite-ingest-dialect';

export type Tx = Transaction<Database>;

/**
 * The statements of a group commit whose SQL differs by database, behind one interface, as Kysely
 * keeps its dialects: PostgreSQL passes rows as arrays through unnest() (a handful of parameters
 * however many rows, planned in microseconds), SQLite as multi-row statements in chunks under its
 * bound-parameter limit. Everything portable stays in the repositories.
 */
export interface IngestDialect {
  /** Serialises gap detection per agent across collectors (SQLite's one writer does that already). */
  lockAgents(tx: Tx, agentIds: readonly string[]): Promise<void>;
  /** Records the batches' keys (rows sorted by key); returns the keys that were new. */
  insertBatchKeys(tx: Tx, rows: readonly PreparedBatch[], now: number): Promise<string[]>;
  /** Adds rows (one per key, sorted by key) to the minute buckets. */
  upsertBuckets(tx: Tx, rows: readonly BucketRow[]): Promise<void>;
  /** Adds rows (one per key, sorted by key) to the hourly rollup. */
  upsertHours(tx: Tx, rows: readonly HourRow[]): Promise<void>;
  /**
   * Adds rows (one per key, sorted by key) to the rollup by node, or by site (each row's `node` then
   * holding the site key).
   */
  upsertNodeHours(tx: Tx, rows: readonly NodeHourRow[], target?: RollupTarget): Promise<void>;
  /** Creates jobs first seen in samples, or widens their seen times. */
  upsertInferredJobs(tx: Tx, jobs: readonly SeenJob[]): Promise<void>;
  /** Deletes and returns the gaps any added batch overlaps. */
  deleteOverlappedGaps(tx: Tx, added: readonly BatchSpan[]): Promise<SeqGap[]>;
}

/** The rollups keyed by a place: a node, or a site ('' for nodes without one). */
export type RollupTarget = 'energy_node_hourly' | 'energy_site_hourly';
export const ROLLUP_KEY: Record<RollupTarget, 'node' | 'site_key'> = { energy_node_hourly: 'node', energy_site_hourly: 'site_key' };

/** Injection token of the IngestDialect of the database in use. */
export const INGEST_DIALECT = Symbol('INGEST_DIALECT');

export function ingestDialect(name: DialectName): IngestDialect {
  return name === 'postgres' ? new PostgresIngestDialect() : new SqliteIngestDialect();
}

/** max(stored, new) peak power that ignores NULL the same way on both dialects. */
export const PEAK_POWER_MAX = sql<number | null>`CASE WHEN excluded.peak_power_w IS NULL THEN energy_buckets.peak_power_w
  WHEN energy_buckets.peak_power_w IS NULL OR excluded.peak_power_w > energy_buckets.peak_power_w THEN excluded.peak_power_w
  ELSE energy_buckets.peak_power_w END`;

/** max(stored, new) peak power of an hourly row. */
export const HOURLY_PEAK_POWER_MAX = sql<number | null>`CASE WHEN excluded.peak_power_w IS NULL THEN energy_hourly.peak_power_w
  WHEN energy_hourly.peak_power_w IS NULL OR excluded.peak_power_w > energy_hourly.peak_power_w THEN excluded.peak_power_w
  ELSE energy_hourly.peak_power_w END`;

/** A job's seen times only widen: keep the earlier first and the later last. */
export const WIDEN_FIRST_SEEN = sql<number>`CASE WHEN excluded.first_seen_at < jobs.first_seen_at THEN excluded.first_seen_at ELSE jobs.first_seen_at END`;
export const WIDEN_LAST_SEEN = sql<number>`CASE WHEN excluded.last_seen_at > jobs.last_seen_at THEN excluded.last_seen_at ELSE jobs.last_seen_at END`;
export const SEEN_WIDENS = sql<boolean>`excluded.first_seen_at < jobs.first_seen_at OR excluded.last_seen_at > jobs.last_seen_at`;
