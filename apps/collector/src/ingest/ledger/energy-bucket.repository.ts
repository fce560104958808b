import { Inject, Injectable } from '@nestjs/common';
import type { BucketRow } from '../bucket-deltas';
import { INGEST_DIALECT, type IngestDialect, type Tx } from './ingest-dialect';

/** energy_buckets: the record, energy per (job or idle, node, device, minute). */
@Injectable()
export class EnergyBucketRepository {
  constructor(@Inject(INGEST_DIALECT) private readonly dialect: IngestDialect) {}

  /** Adds merged minute rows: one per key, in key order, so concurrent commits lock rows in one order. */
  async add(tx: Tx, rows: readonly BucketRow[]): Promise<void> {
    await this.dialect.upsertBuckets(tx, rows);
  }
}
