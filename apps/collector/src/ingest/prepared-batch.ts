import { type Batch, batchKey, lastSeq } from '@wattprint/protocol';
import type { SeenJob } from './bucket-deltas';
import { type BucketDelta, splitSampleByMinute } from './minute-split';

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
  deltas: BucketDelta[];
  jobs: SeenJob[];
}

export function prepareBatch(batch: Batch): PreparedBatch {
  const deltas: BucketDelta[] = [];
  const jobs = new Map<string, SeenJob>();
  let joules = 0;
  let firstT0 = Number.POSITIVE_INFINITY;
  let lastT1 = 0;
  for (const sample of batch.samples) {
    for (const d of splitSampleByMinute(sample, batch.node)) deltas.push(d);
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
    deltas,
    jobs: [...jobs.values()],
  };
}
