import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import type { BatchSpan, PreparedBatch } from '../prepared-batch';
import { bootOf, gapsAfterInsert, needingPredecessor } from '../seq-gaps';
import { INGEST_DIALECT, type IngestDialect, type Tx } from './ingest-dialect';
import { chunks } from './chunks';

const ROWS_PER_STATEMENT = 1000;
const OR_TERMS_PER_STATEMENT = 200;
// Bounds the memory of known boot ends; forgetting them only costs a predecessor query.
const KNOWN_BOOTS_LIMIT = 100_000;

/**
 * seq_gaps: the holes between consecutive batches of an agent boot, and the dead windows between
 * boots. Reads neighbours inside the commit's transaction, under a lock per agent (PostgreSQL).
 */
@Injectable()
export class SeqGapRepository {
  constructor(@Inject(INGEST_DIALECT) private readonly dialect: IngestDialect) {}

  /**
   * Per agent boot, the last seq of the last batch this process committed: a batch starting right
   * after it has no gap before it (batch keys are deleted only past WATTPRINT_BATCH_KEY_RETENTION_DAYS,
   * and a batch that old is refused before it gets here).
   */
  private readonly committedEnds = new Map<string, number>();

  /**
   * Gap detection reads an agent's neighbouring batches, of its own boot and (for restart gaps) of
   * its earlier boots; this lock per agent keeps two collectors from reading and writing them at once.
   */
  async lock(tx: Tx, batches: readonly PreparedBatch[]): Promise<void> {
    await this.dialect.lockAgents(tx, [...new Set(batches.map((b) => b.agentId))]);
  }

  async update(tx: Tx, added: readonly PreparedBatch[], now: number): Promise<void> {
    const unknown = needingPredecessor(added).filter((b) => this.committedEnds.get(bootOf(b)) !== b.firstSeq - 1);
    const predecessors = await this.readPredecessors(tx, unknown);
    const removed = await this.dialect.deleteOverlappedGaps(tx, added);
    const heads = [...predecessors].filter(([, pred]) => pred === null).map(([b]) => b);
    const previousBoots = await this.readPreviousBootTails(tx, heads);
    const gaps = gapsAfterInsert(added, predecessors, removed, previousBoots);
    for (const part of chunks(gaps, ROWS_PER_STATEMENT)) {
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

  /** After the commit: remembers where each boot ends, so the next batch of a boot needs no predecessor query. */
  committed(added: readonly PreparedBatch[]): void {
    if (this.committedEnds.size > KNOWN_BOOTS_LIMIT) this.committedEnds.clear();
    for (const b of added) this.committedEnds.set(bootOf(b), b.lastSeq);
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
      const { rows } = await sql<{ idx: number; first_seq: number; last_seq: number; first_t0: number; last_t1: number }>`${sql.join(
        selects,
        sql` UNION ALL `,
      )}`.execute(tx);
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
}
