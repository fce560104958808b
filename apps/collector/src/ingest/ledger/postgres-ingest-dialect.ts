import { sql } from 'kysely';
import type { BucketRow, HourRow, NodeHourRow, SeenJob } from '../bucket-deltas';
import { hourOf } from '../minute-split';
import { numberArrayLiteral, textArrayLiteral } from '../pg-array-literal';
import type { BatchSpan, PreparedBatch } from '../prepared-batch';
import type { SeqGap } from '../seq-gaps';
import {
  HOURLY_PEAK_POWER_MAX,
  type IngestDialect,
  PEAK_POWER_MAX,
  ROLLUP_KEY,
  type RollupTarget,
  SEEN_WIDENS,
  type Tx,
  WIDEN_FIRST_SEEN,
  WIDEN_LAST_SEEN,
} from './ingest-dialect';

/**
 * PostgreSQL: rows travel as arrays through unnest(), so each statement has a handful of
 * parameters whatever its size and is planned in microseconds instead of milliseconds (measured
 * with tools/bench/ingest.mjs). The array literals are written in one pass (pg-array-literal.ts).
 * unnest yields rows in array order, so they are still locked in key order.
 */
export class PostgresIngestDialect implements IngestDialect {
  async lockAgents(tx: Tx, agentIds: readonly string[]): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest(${[...agentIds]}::text[]) AS k ORDER BY h) AS locks`.execute(
      tx,
    );
  }

  async insertBatchKeys(tx: Tx, rows: readonly PreparedBatch[], now: number): Promise<string[]> {
    const inserted = await sql<{
      batch_key: string;
    }>`INSERT INTO ingested_batches (batch_key, agent_id, boot_id, node, first_seq, last_seq, first_t0, last_t1, samples, joules, ingested_at)
      SELECT k, a, b, n, fs, ls, ft, lt, s, j, ${now}::bigint FROM unnest(
        ${textArrayLiteral(rows, (r) => r.key)}::text[], ${textArrayLiteral(rows, (r) => r.agentId)}::text[],
        ${textArrayLiteral(rows, (r) => r.bootId)}::text[], ${textArrayLiteral(rows, (r) => r.node)}::text[],
        ${numberArrayLiteral(rows, (r) => r.firstSeq)}::bigint[], ${numberArrayLiteral(rows, (r) => r.lastSeq)}::bigint[],
        ${numberArrayLiteral(rows, (r) => r.firstT0)}::bigint[], ${numberArrayLiteral(rows, (r) => r.lastT1)}::bigint[],
        ${numberArrayLiteral(rows, (r) => r.sampleCount)}::int[], ${numberArrayLiteral(rows, (r) => r.joules)}::float8[]
      ) AS t(k, a, b, n, fs, ls, ft, lt, s, j)
      ON CONFLICT (batch_key) DO NOTHING RETURNING batch_key`.execute(tx);
    return inserted.rows.map((r) => r.batch_key);
  }

  async upsertBuckets(tx: Tx, rows: readonly BucketRow[]): Promise<void> {
    await sql`INSERT INTO energy_buckets (job_id, node, device, device_kind, minute_start, hour_start, joules, samples, duration_ms, peak_power_w)
      SELECT * FROM unnest(
        ${textArrayLiteral(rows, (r) => r.jobId)}::text[], ${textArrayLiteral(rows, (r) => r.node)}::text[],
        ${textArrayLiteral(rows, (r) => r.device)}::text[], ${textArrayLiteral(rows, (r) => r.deviceKind)}::text[],
        ${numberArrayLiteral(rows, (r) => r.minuteStart)}::bigint[], ${numberArrayLiteral(rows, (r) => hourOf(r.minuteStart))}::bigint[],
        ${numberArrayLiteral(rows, (r) => r.joules)}::float8[], ${numberArrayLiteral(rows, (r) => r.samples)}::int[],
        ${numberArrayLiteral(rows, (r) => r.durationMs)}::bigint[], ${numberArrayLiteral(rows, (r) => r.peakPowerW)}::float8[])
      ON CONFLICT (job_id, node, device, minute_start) DO UPDATE SET
        joules = energy_buckets.joules + excluded.joules,
        samples = energy_buckets.samples + excluded.samples,
        duration_ms = energy_buckets.duration_ms + excluded.duration_ms,
        peak_power_w = ${PEAK_POWER_MAX}`.execute(tx);
  }

  async upsertHours(tx: Tx, rows: readonly HourRow[]): Promise<void> {
    await sql`INSERT INTO energy_hourly (job_id, node, device, device_kind, hour_start, joules, samples, duration_ms, peak_power_w)
      SELECT * FROM unnest(
        ${textArrayLiteral(rows, (r) => r.jobId)}::text[], ${textArrayLiteral(rows, (r) => r.node)}::text[],
        ${textArrayLiteral(rows, (r) => r.device)}::text[], ${textArrayLiteral(rows, (r) => r.deviceKind)}::text[],
        ${numberArrayLiteral(rows, (r) => r.hourStart)}::bigint[], ${numberArrayLiteral(rows, (r) => r.joules)}::float8[],
        ${numberArrayLiteral(rows, (r) => r.samples)}::int[], ${numberArrayLiteral(rows, (r) => r.durationMs)}::bigint[],
        ${numberArrayLiteral(rows, (r) => r.peakPowerW)}::float8[])
      ON CONFLICT (job_id, node, device, hour_start) DO UPDATE SET
        joules = energy_hourly.joules + excluded.joules,
        samples = energy_hourly.samples + excluded.samples,
        duration_ms = energy_hourly.duration_ms + excluded.duration_ms,
        peak_power_w = ${HOURLY_PEAK_POWER_MAX}`.execute(tx);
  }

  async upsertNodeHours(tx: Tx, rows: readonly NodeHourRow[], target: RollupTarget = 'energy_node_hourly'): Promise<void> {
    const t = sql.table(target);
    await sql`INSERT INTO ${t} (hour_start, ${sql.ref(ROLLUP_KEY[target])}, device_kind, joules, idle_joules, samples, duration_ms)
      SELECT * FROM unnest(
        ${numberArrayLiteral(rows, (r) => r.hourStart)}::bigint[], ${textArrayLiteral(rows, (r) => r.node)}::text[],
        ${textArrayLiteral(rows, (r) => r.deviceKind)}::text[], ${numberArrayLiteral(rows, (r) => r.joules)}::float8[],
        ${numberArrayLiteral(rows, (r) => r.idleJoules)}::float8[], ${numberArrayLiteral(rows, (r) => r.samples)}::bigint[],
        ${numberArrayLiteral(rows, (r) => r.durationMs)}::bigint[])
      ON CONFLICT (hour_start, ${sql.ref(ROLLUP_KEY[target])}, device_kind) DO UPDATE SET
        joules = ${t}.joules + excluded.joules,
        idle_joules = ${t}.idle_joules + excluded.idle_joules,
        samples = ${t}.samples + excluded.samples,
        duration_ms = ${t}.duration_ms + excluded.duration_ms`.execute(tx);
  }

  async upsertInferredJobs(tx: Tx, jobs: readonly SeenJob[]): Promise<void> {
    await sql`INSERT INTO jobs (id, state, inferred, first_seen_at, last_seen_at)
      SELECT id, 'running', 1, f, l FROM unnest(${jobs.map((j) => j.jobId)}::text[], ${jobs.map((j) => j.firstSeenAt)}::bigint[],
        ${jobs.map((j) => j.lastSeenAt)}::bigint[]) AS t(id, f, l)
      ON CONFLICT (id) DO UPDATE SET first_seen_at = ${WIDEN_FIRST_SEEN}, last_seen_at = ${WIDEN_LAST_SEEN}
      WHERE ${SEEN_WIDENS}`.execute(tx);
  }

  /** A join on unnest, instead of an OR of four terms per batch whose parse and plan cost more than the delete itself. */
  async deleteOverlappedGaps(tx: Tx, added: readonly BatchSpan[]): Promise<SeqGap[]> {
    const { rows } = await sql<{
      agent_id: string;
      boot_id: string;
      node: string;
      from_seq: number;
      to_seq: number;
      from_t: number;
      to_t: number;
    }>`DELETE FROM seq_gaps AS g
      USING unnest(${added.map((b) => b.agentId)}::text[], ${added.map((b) => b.bootId)}::text[], ${added.map((b) => b.firstSeq)}::bigint[],
        ${added.map((b) => b.lastSeq)}::bigint[], ${added.map((b) => b.firstT0)}::bigint[], ${added.map((b) => b.lastT1)}::bigint[])
        AS t(agent_id, boot_id, first_seq, last_seq, first_t0, last_t1)
      WHERE g.agent_id = t.agent_id AND g.from_seq <= t.last_seq AND g.to_seq >= t.first_seq
        AND (g.boot_id = t.boot_id OR (g.from_t <= t.first_t0 AND g.to_t >= t.last_t1))
      RETURNING g.agent_id, g.boot_id, g.node, g.from_seq, g.to_seq, g.from_t, g.to_t`.execute(tx);
    return rows.map((r) => ({
      agentId: r.agent_id,
      bootId: r.boot_id,
      node: r.node,
      fromSeq: Number(r.from_seq),
      toSeq: Number(r.to_seq),
      fromT: Number(r.from_t),
      toT: Number(r.to_t),
    }));
  }
}
