import { Inject, Injectable } from '@nestjs/common';
import { type BucketRow, hourRows } from '../bucket-deltas';
import { INGEST_DIALECT, type IngestDialect, type Tx } from './ingest-dialect';

/**
 * energy_buckets, the record, energy per (job or idle, node, device, minute), and energy_hourly, the
 * same summed by hour, written together in the commit's transaction: every hour's row is the sum
 * of its minutes, whatever order batches arrive in, late, again, or across restarts.
 */
@Injectable()
export class EnergyBucketRepository {
  constructor(@Inject(INGEST_DIALECT) private readonly dialect: IngestDialect) {}

  /** Adds merged minute rows (one per key, in key order, so concurrent commits lock rows in one order) and their hours. */
  async add(tx: Tx, rows: readonly BucketRow[]): Promise<void> {
    await this.dialect.upsertBuckets(tx, rows);
    await this.dialect.upsertHours(tx, hourRows(rows));
  }
}
