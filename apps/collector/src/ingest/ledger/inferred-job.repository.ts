import { Inject, Injectable } from '@nestjs/common';
import { mergeSeenJobs } from '../bucket-deltas';
import type { PreparedBatch } from '../prepared-batch';
import { INGEST_DIALECT, type IngestDialect, type Tx } from './ingest-dialect';

/** Jobs as samples show them: a job first seen in samples exists from then on, inferred until its start event says more. */
@Injectable()
export class InferredJobRepository {
  constructor(@Inject(INGEST_DIALECT) private readonly dialect: IngestDialect) {}

  async upsert(tx: Tx, batches: readonly PreparedBatch[]): Promise<void> {
    const jobs = mergeSeenJobs(batches.flatMap((b) => b.jobs));
    if (jobs.length > 0) await this.dialect.upsertInferredJobs(tx, jobs);
  }
}
