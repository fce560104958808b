import { sql } from 'kysely';
import type { BucketRow, HourRow, NodeHourRow, SeenJob } from '../bucket-deltas';
import { hourOf } from '../minute-split';
import type { BatchSpan, PreparedBatch } from '../prepared-batch';
import type { SeqGap } from '../seq-gaps';
import { chunks } from './chunks';
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

// Rows per multi-row statement: well under SQLite's 32,766 bound parameters.
const BUCKET_ROWS_PER_STATEMENT = 500;
const ROWS_PER_STATEMENT = 1000;
const OR_TERMS_PER_STATEMENT = 200;

/** SQLite: multi-row statements in chunks under its bound-parameter limit; its one writer needs no locks. */
export class SqliteIngestDialect implements IngestDialect {
  async lockAgents(): Promise<void> {
    // SQLite writers are serialised by the file lock
  }

  async insertBatchKeys(tx: Tx, rows: readonly PreparedBatch[], now: number): Promise<string[]> {
    const fresh: string[] = [];
    for (const part of chunks(rows, ROWS_PER_STATEMENT)) {
      const inserted = await tx
        .insertInto('ingested_batches')
        .values(
          part.map((b) => ({
            batch_key: b.key,
            agent_id: b.agentId,
            boot_id: b.bootId,
            node: b.node,
            first_seq: b.firstSeq,
            last_seq: b.lastSeq,
            first_t0: b.firstT0,
            last_t1: b.lastT1,
            samples: b.sampleCount,
            joules: b.joules,
            ingested_at: now,
          })),
        )
        .onConflict((oc) => oc.column('batch_key').doNothing())
        .returning('batch_key')
        .execute();
      for (const row of inserted) fresh.push(row.batch_key);
    }
    return fresh;
  }

  async upsertBuckets(tx: Tx, rows: readonly BucketRow[]): Promise<void> {
    for (const part of chunks(rows, BUCKET_ROWS_PER_STATEMENT)) {
      await tx
        .insertInto('energy_buckets')
        .values(
          part.map((r) => ({
            job_id: r.jobId,
            node: r.node,
            device: r.device,
            device_kind: r.deviceKind,
            minute_start: r.minuteStart,
            hour_start: hourOf(r.minuteStart),
            joules: r.joules,
            samples: r.samples,
            duration_ms: r.durationMs,
            peak_power_w: r.peakPowerW,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['job_id', 'node', 'device', 'minute_start']).doUpdateSet((eb) => ({
            joules: eb('energy_buckets.joules', '+', eb.ref('excluded.joules')),
            samples: eb('energy_buckets.samples', '+', eb.ref('excluded.samples')),
            duration_ms: eb('energy_buckets.duration_ms', '+', eb.ref('excluded.duration_ms')),
            peak_power_w: PEAK_POWER_MAX,
          })),
        )
        .execute();
    }
  }

  async upsertHours(tx: Tx, rows: readonly HourRow[]): Promise<void> {
    for (const part of chunks(rows, BUCKET_ROWS_PER_STATEMENT)) {
      await tx
        .insertInto('energy_hourly')
        .values(
          part.map((r) => ({
            job_id: r.jobId,
            node: r.node,
            device: r.device,
            device_kind: r.deviceKind,
            hour_start: r.hourStart,
            joules: r.joules,
            samples: r.samples,
            duration_ms: r.durationMs,
            peak_power_w: r.peakPowerW,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['job_id', 'node', 'device', 'hour_start']).doUpdateSet((eb) => ({
            joules: eb('energy_hourly.joules', '+', eb.ref('excluded.joules')),
            samples: eb('energy_hourly.samples', '+', eb.ref('excluded.samples')),
            duration_ms: eb('energy_hourly.duration_ms', '+', eb.ref('excluded.duration_ms')),
            peak_power_w: HOURLY_PEAK_POWER_MAX,
          })),
        )
        .execute();
    }
  }

  async upsertNodeHours(tx: Tx, rows: readonly NodeHourRow[], target: RollupTarget = 'energy_node_hourly'): Promise<void> {
    const t = sql.table(target);
    const key = sql.ref(ROLLUP_KEY[target]);
    for (const part of chunks(rows, BUCKET_ROWS_PER_STATEMENT)) {
      const values = part.map(
        (r) => sql`(${r.hourStart}, ${r.node}, ${r.deviceKind}, ${r.joules}, ${r.idleJoules}, ${r.samples}, ${r.durationMs})`,
      );
      await sql`INSERT INTO ${t} (hour_start, ${key}, device_kind, joules, idle_joules, samples, duration_ms)
        VALUES ${sql.join(values)}
        ON CONFLICT (hour_start, ${key}, device_kind) DO UPDATE SET
          joules = ${t}.joules + excluded.joules,
          idle_joules = ${t}.idle_joules + excluded.idle_joules,
          samples = ${t}.samples + excluded.samples,
          duration_ms = ${t}.duration_ms + excluded.duration_ms`.execute(tx);
    }
  }

  async upsertInferredJobs(tx: Tx, jobs: readonly SeenJob[]): Promise<void> {
    for (const part of chunks(jobs, ROWS_PER_STATEMENT)) {
      await tx
        .insertInto('jobs')
        .values(
          part.map((j) => ({
            id: j.jobId,
            state: 'running' as const,
            inferred: 1,
            first_seen_at: j.firstSeenAt,
            last_seen_at: j.lastSeenAt,
          })),
        )
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({ first_seen_at: WIDEN_FIRST_SEEN, last_seen_at: WIDEN_LAST_SEEN }).where(SEEN_WIDENS),
        )
        .execute();
    }
  }

  async deleteOverlappedGaps(tx: Tx, added: readonly BatchSpan[]): Promise<SeqGap[]> {
    const removed: SeqGap[] = [];
    for (const part of chunks(added, OR_TERMS_PER_STATEMENT)) {
      const rows = await tx
        .deleteFrom('seq_gaps')
        .where((eb) =>
          eb.or(
            part.map((b) =>
              eb.and([
                eb('agent_id', '=', b.agentId),
                eb('from_seq', '<=', b.lastSeq),
                eb('to_seq', '>=', b.firstSeq),
                // the gap's own boot, or a restart gap whose time window holds this late batch (fillsGap)
                eb.or([eb('boot_id', '=', b.bootId), eb.and([eb('from_t', '<=', b.firstT0), eb('to_t', '>=', b.lastT1)])]),
              ]),
            ),
          ),
        )
        .returningAll()
        .execute();
      for (const r of rows) {
        removed.push({
          agentId: r.agent_id,
          bootId: r.boot_id,
          node: r.node,
          fromSeq: r.from_seq,
          toSeq: r.to_seq,
          fromT: r.from_t,
          toT: r.to_t,
        });
      }
    }
    return removed;
  }
}
