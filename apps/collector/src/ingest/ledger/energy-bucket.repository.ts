import { Inject, Injectable } from '@nestjs/common';
import { mergeBatchRows } from '../bucket-deltas';
import type { PreparedBatch } from '../prepared-batch';
import { INGEST_DIALECT, type IngestDialect, type Tx } from './ingest-dialect';

/** energy_buckets: the record, energy per (job or idle, node, device, minute). */
@Injectable()
export class EnergyBucketRepository {
  constructor(@Inject(INGEST_DIALECT) private readonly dialect: IngestDialect) {}

  /** Adds the batches' energy, one row per bucket key in key order, so concurrent commits lock buckets in one order. */
  async add(tx: Tx, batches: readonly PreparedBatch[]): Promise<void> {
    await this.dialect.upsertBuckets(tx, mergeBatchRows(batches));
  }
}
