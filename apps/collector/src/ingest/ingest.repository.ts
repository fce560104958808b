import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle, Database } from '@wattprint/db';
import { type Kysely, type Transaction, sql } from 'kysely';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import { DATABASE } from '../database/database.module';
import { type BucketRow, mergeBatchRows, mergeSeenJobs } from './bucket-deltas';
import type { DeadLetter } from './dead-letter';
import { hourOf } from './minute-split';
import { numberArrayLiteral, textArrayLiteral } from './pg-array-literal';
import type { BatchSpan, PreparedBatch } from './prepared-batch';
import { type SeqGap, bootOf, gapsAfterInsert, needingPredecessor } from './seq-gaps';
import { AgentKeyCipher } from '../secrets/agent-key-cipher';
import { TtlCache } from './ttl-cache';

type Tx = Transaction<Database>;

/** What ingest needs of an agent: the key its messages are signed with, and the one node it speaks for. */
export interface KnownAgent {
  key: string;
  node: string;
}

/** PostgreSQL refuses NUL in text; a dead letter keeps the message whatever it holds, so NUL is written escaped. */
const escapeNul = (text: string): string => text.replaceAll('\u0000', '\\u0000');

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// Rows per multi-row statement: well under PostgreSQL's 65,535 and SQLite's 32,766 bound parameters.
const BUCKET_ROWS_PER_STATEMENT = 500;
const BATCH_ROWS_PER_STATEMENT = 1000;
const OR_TERMS_PER_STATEMENT = 200;
// agents.last_seen_at is for people ("when did this node last report"): refreshing it once per
// agent every few seconds spares a row update per commit.
const AGENT_TOUCH_EVERY_MS = 5_000;
// Bounds the memory of known boot ends; forgetting them only costs a predecessor query.
const KNOWN_BOOTS_LIMIT = 100_000;

/** max(stored, new) peak power that ignores NULL the same way on both dialects. */
const PEAK_POWER_MAX = sql<number | null>`CASE WHEN excluded.peak_power_w IS NULL THEN energy_buckets.peak_power_w
  WHEN energy_buckets.peak_power_w IS NULL OR excluded.peak_power_w > energy_buckets.peak_power_w THEN excluded.peak_power_w
  ELSE energy_buckets.peak_power_w END`;

/** Every database access of sample ingest: the group commit, agent keys and dead letters. */
@Injectable()
export class IngestRepository {
  private readonly db: Kysely<Database>;
  private readonly agents: TtlCache<KnownAgent>;
  private readonly agentTouchedAt = new Map<string, number>();
  /**
   * Per agent boot, the last seq of the last batch this process committed: batches are never deleted, so a batch starting
   * right after it has no gap before it.
   */
  private readonly committedEnds = new Map<string, number>();
  private readonly groupCommitsInFlight: number;

  constructor(
    @Inject(DATABASE) private readonly handle: DatabaseHandle,
    @Inject(COLLECTOR_CONFIG) config: CollectorConfig,
    private readonly cipher: AgentKeyCipher,
  ) {
    this.db = handle.db;
    this.agents = new TtlCache(config.agentKeyTtlMs, () => this.now());
    this.groupCommitsInFlight = config.groupCommitsInFlight;
  }

  /**
   * Group commits that may run at once. One by default: each commit costs PostgreSQL a WAL flush
   * and the collector a round trip per statement whatever its size, so one commit of the batches
   * that piled up meanwhile costs less CPU than several smaller ones (tools/bench/ingest.mjs:
   * PostgreSQL 100 µs a batch against 150 with four), and two commits touching one agent's
   * rows would only wait on each other. More can hide a slow flush (network storage). SQLite
   * has one writer, so a second would only wait.
   */
  get concurrentCommits(): number {
    return this.handle.dialect === 'postgres' ? this.groupCommitsInFlight : 1;
  }

  now(): number {
    return Date.now();
  }

  /**
   * An agent's HMAC key (in clear) and registered node, cached for a short while; unknown agents are
   * not cached, so a new registration counts at once.
   */
  async findAgent(agentId: string): Promise<KnownAgent | undefined> {
    const cached = this.agents.get(agentId);
    if (cached !== undefined) return cached;
    const row = await this.db.selectFrom('agents').select(['key', 'node']).where('id', '=', agentId).executeTakeFirst();
    if (row === undefined) return undefined;
    const agent = { key: this.cipher.open(row.key), node: row.node };
    this.agents.set(agentId, agent);
    return agent;
  }

  /**
   * Writes a group of verified batches in one transaction and returns those that were new. Batches
   * already recorded change nothing. Locks are taken in one global order (boots, batch keys, bucket
   * keys, job ids, agent ids, each sorted) so concurrent collectors never deadlock one another.
   */
  async commitBatches(batches: readonly PreparedBatch[]): Promise<PreparedBatch[]> {
    const now = this.now();
    const added = await this.db.transaction().execute(async (tx) => {
      await this.lockAgents(tx, batches);
      const fresh = await this.recordBatchKeys(tx, batches, now);
      if (fresh.length === 0) return fresh;
      await this.addToBuckets(tx, fresh);
      await this.upsertInferredJobs(tx, fresh);
      await this.updateGaps(tx, fresh, now);
      await this.touchAgents(tx, fresh, now);
      return fresh;
    });
    if (this.committedEnds.size > KNOWN_BOOTS_LIMIT) this.committedEnds.clear();
    for (const b of added) {
      this.agentTouchedAt.set(b.agentId, now);
      this.committedEnds.set(bootOf(b), b.lastSeq);
    }
    return added;
  }

  /**
   * Gap detection reads an agent's neighbouring batches, of its own boot and (for restart gaps) of its
   * earlier boots; this lock per agent keeps two collectors from reading and writing them at once.
   */
  private async lockAgents(tx: Tx, batches: readonly PreparedBatch[]): Promise<void> {
    if (this.handle.dialect !== 'postgres') return; // SQLite writers are serialised by the file lock
    const agents = [...new Set(batches.map((b) => b.agentId))];
    await sql`SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest(${agents}::text[]) AS k ORDER BY h) AS locks`.execute(
      tx,
    );
  }

  private async recordBatchKeys(tx: Tx, batches: readonly PreparedBatch[], now: number): Promise<PreparedBatch[]> {
    const byKey = new Map(batches.map((b) => [b.key, b]));
    const keys = [...byKey.keys()].sort(byString);
    const fresh: PreparedBatch[] = [];
    if (this.handle.dialect === 'postgres') {
      // arrays through unnest(), as for the buckets: eleven parameters however many batches
      const rows = keys.map((key) => byKey.get(key)!);
      const inserted = await sql<{
        batch_key: string;
      }>`INSERT INTO ingested_batches (batch_key, agent_id, boot_id, node, first_seq, last_seq, first_t0, last_t1, samples, joules, ingested_at)
        SELECT k, a, b, n, fs, ls, ft, lt, s, j, ${now}::bigint FROM unnest(
          ${textArrayLiteral(rows, (r) => r.key)}::text[], ${textArrayLiteral(rows, (r) => r.agentId)}::text[], ${textArrayLiteral(rows, (r) => r.bootId)}::text[],
          ${textArrayLiteral(rows, (r) => r.node)}::text[], ${numberArrayLiteral(rows, (r) => r.firstSeq)}::bigint[], ${numberArrayLiteral(rows, (r) => r.lastSeq)}::bigint[],
          ${numberArrayLiteral(rows, (r) => r.firstT0)}::bigint[], ${numberArrayLiteral(rows, (r) => r.lastT1)}::bigint[],
          ${numberArrayLiteral(rows, (r) => r.sampleCount)}::int[], ${numberArrayLiteral(rows, (r) => r.joules)}::float8[]
        ) AS t(k, a, b, n, fs, ls, ft, lt, s, j)
        ON CONFLICT (batch_key) DO NOTHING RETURNING batch_key`.execute(tx);
      for (const row of inserted.rows) fresh.push(byKey.get(row.batch_key)!);
      return fresh;
    }
    for (const part of chunks(keys, BATCH_ROWS_PER_STATEMENT)) {
      const inserted = await tx
        .insertInto('ingested_batches')
        .values(
          part.map((key) => {
            const b = byKey.get(key)!;
            return {
              batch_key: key,
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
            };
          }),
        )
        .onConflict((oc) => oc.column('batch_key').doNothing())
        .returning('batch_key')
        .execute();
      for (const row of inserted) fresh.push(byKey.get(row.batch_key)!);
    }
    return fresh;
  }

  private async addToBuckets(tx: Tx, batches: readonly PreparedBatch[]): Promise<void> {
    const rows = mergeBatchRows(batches);
    if (this.handle.dialect === 'postgres') return this.addToBucketsFromArrays(tx, rows);
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

  /**
   * PostgreSQL: the same multi-row upsert, with the rows passed as ten arrays (literals written in
   * one pass, see pg-array-literal.ts) through unnest(), so the statement has ten parameters
   * whatever its size and is planned in microseconds instead of milliseconds (measured with tools/bench/ingest.mjs). unnest yields the rows in array order, so
   * they are still locked in key order.
   */
  private async addToBucketsFromArrays(tx: Tx, rows: readonly BucketRow[]): Promise<void> {
    await sql`INSERT INTO energy_buckets (job_id, node, device, device_kind, minute_start, hour_start, joules, samples, duration_ms, peak_power_w)
      SELECT * FROM unnest(
        ${textArrayLiteral(rows, (r) => r.jobId)}::text[], ${textArrayLiteral(rows, (r) => r.node)}::text[], ${textArrayLiteral(rows, (r) => r.device)}::text[],
        ${textArrayLiteral(rows, (r) => r.deviceKind)}::text[], ${numberArrayLiteral(rows, (r) => r.minuteStart)}::bigint[],
        ${numberArrayLiteral(rows, (r) => hourOf(r.minuteStart))}::bigint[], ${numberArrayLiteral(rows, (r) => r.joules)}::float8[],
        ${numberArrayLiteral(rows, (r) => r.samples)}::int[], ${numberArrayLiteral(rows, (r) => r.durationMs)}::bigint[],
        ${numberArrayLiteral(rows, (r) => r.peakPowerW)}::float8[])
      ON CONFLICT (job_id, node, device, minute_start) DO UPDATE SET
        joules = energy_buckets.joules + excluded.joules,
        samples = energy_buckets.samples + excluded.samples,
        duration_ms = energy_buckets.duration_ms + excluded.duration_ms,
        peak_power_w = ${PEAK_POWER_MAX}`.execute(tx);
  }

  /** A job first seen in samples exists from then on, marked inferred until its start event says more. */
  private async upsertInferredJobs(tx: Tx, batches: readonly PreparedBatch[]): Promise<void> {
    const jobs = mergeSeenJobs(batches.flatMap((b) => b.jobs));
    if (jobs.length === 0) return;
    if (this.handle.dialect === 'postgres') {
      await sql`INSERT INTO jobs (id, state, inferred, first_seen_at, last_seen_at)
        SELECT id, 'running', 1, f, l FROM unnest(${jobs.map((j) => j.jobId)}::text[], ${jobs.map((j) => j.firstSeenAt)}::bigint[], ${jobs.map((j) => j.lastSeenAt)}::bigint[]) AS t(id, f, l)
        ON CONFLICT (id) DO UPDATE SET
          first_seen_at = CASE WHEN excluded.first_seen_at < jobs.first_seen_at THEN excluded.first_seen_at ELSE jobs.first_seen_at END,
          last_seen_at = CASE WHEN excluded.last_seen_at > jobs.last_seen_at THEN excluded.last_seen_at ELSE jobs.last_seen_at END
        WHERE excluded.first_seen_at < jobs.first_seen_at OR excluded.last_seen_at > jobs.last_seen_at`.execute(tx);
      return;
    }
    for (const part of chunks(jobs, BATCH_ROWS_PER_STATEMENT)) {
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
          oc
            .column('id')
            .doUpdateSet({
              first_seen_at: sql<number>`CASE WHEN excluded.first_seen_at < jobs.first_seen_at THEN excluded.first_seen_at ELSE jobs.first_seen_at END`,
              last_seen_at: sql<number>`CASE WHEN excluded.last_seen_at > jobs.last_seen_at THEN excluded.last_seen_at ELSE jobs.last_seen_at END`,
            })
            .where(sql<boolean>`excluded.first_seen_at < jobs.first_seen_at OR excluded.last_seen_at > jobs.last_seen_at`),
        )
        .execute();
    }
  }

  private async updateGaps(tx: Tx, added: readonly PreparedBatch[], now: number): Promise<void> {
    const unknown = needingPredecessor(added).filter((b) => this.committedEnds.get(bootOf(b)) !== b.firstSeq - 1);
    const predecessors = await this.readPredecessors(tx, unknown);
    const removed = await this.deleteOverlappedGaps(tx, added);
    const heads = [...predecessors].filter(([, pred]) => pred === null).map(([b]) => b);
    const previousBoots = await this.readPreviousBootTails(tx, heads);
    const gaps = gapsAfterInsert(added, predecessors, removed, previousBoots);
    for (const part of chunks(gaps, BATCH_ROWS_PER_STATEMENT)) {
      await tx
        .insertInto('seq_gaps')
        .values(
          part.map((g) => ({
            agent_id: g.agentId,
            boot_id: g.bootId,
            node: g.node,
            from_seq: g.fromSeq,
            to_seq: g.toSeq,
            from_t: g.fromT,
            to_t: g.toT,
            detected_at: now,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['agent_id', 'boot_id', 'from_seq']).doUpdateSet((eb) => ({
            to_seq: eb.ref('excluded.to_seq'),
            to_t: eb.ref('excluded.to_t'),
            from_t: eb.ref('excluded.from_t'),
          })),
        )
        .execute();
    }
  }

  /** Deletes and returns the gaps any added batch overlaps; a gap several batches overlap comes back once. */
  private async deleteOverlappedGaps(tx: Tx, added: readonly PreparedBatch[]): Promise<SeqGap[]> {
    if (this.handle.dialect === 'postgres') return this.deleteOverlappedGapsFromArrays(tx, added);
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

  /**
   * PostgreSQL: the same delete with the batches passed as arrays (a join on unnest), instead of an
   * OR of four terms per batch whose parse and plan cost more than the delete itself.
   */
  private async deleteOverlappedGapsFromArrays(tx: Tx, added: readonly PreparedBatch[]): Promise<SeqGap[]> {
    const { rows } = await sql<{
      agent_id: string;
      boot_id: string;
      node: string;
      from_seq: number;
      to_seq: number;
      from_t: number;
      to_t: number;
    }>`DELETE FROM seq_gaps AS g
      USING unnest(${added.map((b) => b.agentId)}::text[], ${added.map((b) => b.bootId)}::text[], ${added.map((b) => b.firstSeq)}::bigint[], ${added.map((b) => b.lastSeq)}::bigint[],
        ${added.map((b) => b.firstT0)}::bigint[], ${added.map((b) => b.lastT1)}::bigint[]) AS t(agent_id, boot_id, first_seq, last_seq, first_t0, last_t1)
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

  /** For each batch, the batch of its boot with the highest first_seq below its own (null: none), in one statement. */
  private async readPredecessors(tx: Tx, batches: readonly BatchSpan[]): Promise<Map<BatchSpan, BatchSpan | null>> {
    const found = new Map<BatchSpan, BatchSpan | null>();
    for (const part of chunks(batches, OR_TERMS_PER_STATEMENT)) {
      const selects = part.map(
        (b, i) => sql`SELECT * FROM (SELECT ${sql.lit(i)} AS idx, first_seq, last_seq, first_t0, last_t1 FROM ingested_batches
          WHERE agent_id = ${b.agentId} AND boot_id = ${b.bootId} AND first_seq < ${b.firstSeq}
          ORDER BY first_seq DESC LIMIT 1) AS ${sql.raw(`p${i}`)}`,
      );
      const { rows } = await sql<{
        idx: number;
        first_seq: number;
        last_seq: number;
        first_t0: number;
        last_t1: number;
      }>`${sql.join(selects, sql` UNION ALL `)}`.execute(tx);
      for (const b of part) found.set(b, null);
      for (const r of rows) {
        const b = part[Number(r.idx)];
        found.set(b, {
          ...b,
          firstSeq: Number(r.first_seq),
          lastSeq: Number(r.last_seq),
          firstT0: Number(r.first_t0),
          lastT1: Number(r.last_t1),
        });
      }
    }
    return found;
  }

  /**
   * For each batch (the first seen of its boot), the agent's batch of another boot with the highest
   * last_seq below its first seq (null: none). Once per boot start, so the scan of the agent's
   * batches it may need is rare.
   */
  private async readPreviousBootTails(tx: Tx, batches: readonly BatchSpan[]): Promise<Map<BatchSpan, BatchSpan | null>> {
    const found = new Map<BatchSpan, BatchSpan | null>();
    for (const part of chunks(batches, OR_TERMS_PER_STATEMENT)) {
      const selects = part.map(
        (b, i) => sql`SELECT * FROM (SELECT ${sql.lit(i)} AS idx, boot_id, first_seq, last_seq, first_t0, last_t1 FROM ingested_batches
          WHERE agent_id = ${b.agentId} AND boot_id <> ${b.bootId} AND last_seq < ${b.firstSeq}
          ORDER BY last_seq DESC LIMIT 1) AS ${sql.raw(`t${i}`)}`,
      );
      const { rows } = await sql<{
        idx: number;
        boot_id: string;
        first_seq: number;
        last_seq: number;
        first_t0: number;
        last_t1: number;
      }>`${sql.join(selects, sql` UNION ALL `)}`.execute(tx);
      for (const b of part) found.set(b, null);
      for (const r of rows) {
        const b = part[Number(r.idx)];
        found.set(b, {
          ...b,
          bootId: r.boot_id,
          firstSeq: Number(r.first_seq),
          lastSeq: Number(r.last_seq),
          firstT0: Number(r.first_t0),
          lastT1: Number(r.last_t1),
        });
      }
    }
    return found;
  }

  private async touchAgents(tx: Tx, batches: readonly PreparedBatch[], now: number): Promise<void> {
    const due = [...new Set(batches.map((b) => b.agentId))]
      .filter((id) => now - (this.agentTouchedAt.get(id) ?? 0) >= AGENT_TOUCH_EVERY_MS)
      .sort(byString);
    if (due.length === 0) return;
    await tx.updateTable('agents').set({ last_seen_at: now }).where('id', 'in', due).execute();
  }

  /** Records a dead letter once per (queue, job id): a redelivered bad message is not recorded twice. */
  async recordDeadLetter(letter: DeadLetter): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      if (letter.jobId !== null) {
        const seen = await tx
          .selectFrom('dead_letters')
          .select('id')
          .where('queue', '=', letter.queue)
          .where('job_id', '=', escapeNul(letter.jobId))
          .executeTakeFirst();
        if (seen !== undefined) return false;
      }
      await tx
        .insertInto('dead_letters')
        .values({
          queue: letter.queue,
          job_id: letter.jobId,
          reason: letter.reason,
          detail: letter.detail,
          payload: letter.payload,
          received_at: this.now(),
        })
        .execute();
      return true;
    });
  }
}
