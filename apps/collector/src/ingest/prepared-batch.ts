import { type Batch, batchKey, lastSeq } from '@wattprint/protocol';
import { BucketAccumulator, type BucketRow, type SeenJob } from './bucket-deltas';
import { IDLE_JOB_ID } from '@wattprint/db';
import { MINUTE_MS } from '@wattprint/carbon';
import { splitSampleByMinute, withinOneMinute } from './minute-split';

/** Where a batch sits in its agent boot's seq numbering, and the time it covers. */
export interface BatchSpan {
  agentId: string;
  bootId: string;
  node: string;
  firstSeq: number;
  lastSeq: number;
  firstT0: number;
  lastT1: number;
}

/** A verified batch, reduced to what the commit writes. Computed outside the transaction. */
export interface PreparedBatch extends BatchSpan {
  key: string;
  sentAt: number;
  sampleCount: number;
  joules: number;
  /** The batch's energy per bucket key: 40 samples of 8 GPUs over 5 s make 8 rows (16 across a minute boundary). */
  buckets: BucketRow[];
  jobs: SeenJob[];
}

export function prepareBatch(batch: Batch): PreparedBatch {
  const buckets = new BucketAccumulator();
  const jobs = new Map<string, SeenJob>();
  let joules = 0;
  let firstT0 = Number.POSITIVE_INFINITY;
  let lastT1 = 0;
  for (const sample of batch.samples) {
    // the common case, a sample inside one minute, goes to its bucket without a delta object
    if (withinOneMinute(sample.t0, sample.t1)) {
      buckets.addPiece(
        sample.jobId ?? IDLE_JOB_ID,
        batch.node,
        sample.device,
        sample.kind,
        Math.floor(sample.t0 / MINUTE_MS) * MINUTE_MS,
        sample.energyJ,
        1,
        sample.t1 - sample.t0,
        sample.powerW,
      );
    } else {
      buckets.add(splitSampleByMinute(sample, batch.node));
    }
    joules += sample.energyJ;
    firstT0 = Math.min(firstT0, sample.t0);
    lastT1 = Math.max(lastT1, sample.t1);
    if (sample.jobId !== null) {
      const seen = jobs.get(sample.jobId);
      if (seen === undefined) jobs.set(sample.jobId, { jobId: sample.jobId, firstSeenAt: sample.t0, lastSeenAt: sample.t1 });
      else {
        seen.firstSeenAt = Math.min(seen.firstSeenAt, sample.t0);
        seen.lastSeenAt = Math.max(seen.lastSeenAt, sample.t1);
      }
    }
  }
  return {
    key: batchKey(batch),
    agentId: batch.agentId,
    bootId: batch.bootId,
    node: batch.node,
    firstSeq: batch.firstSeq,
    lastSeq: lastSeq(batch),
    firstT0,
    lastT1,
    sentAt: batch.sentAt,
    sampleCount: batch.samples.length,
    joules,
    buckets: buckets.rows(),
    jobs: [...jobs.values()],
  };
}
