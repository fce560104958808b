import { Inject, Injectable } from '@nestjs/common';
import type { PreparedBatch } from '../prepared-batch';
import { INGEST_DIALECT, type IngestDialect, type Tx } from './ingest-dialect';

const byKey = (a: PreparedBatch, b: PreparedBatch) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** ingested_batches: one row per batch ever committed, the key that makes ingest exactly-once. */
@Injectable()
export class BatchKeyRepository {
  constructor(@Inject(INGEST_DIALECT) private readonly dialect: IngestDialect) {}

  /** Records the batches' keys, in key order (the global lock order); returns the batches that were new. */
  async record(tx: Tx, batches: readonly PreparedBatch[], now: number): Promise<PreparedBatch[]> {
    const byKeyMap = new Map(batches.map((b) => [b.key, b]));
    const rows = [...byKeyMap.values()].sort(byKey);
    const fresh = await this.dialect.insertBatchKeys(tx, rows, now);
    return fresh.map((key) => byKeyMap.get(key)!);
  }
}
