import { z } from 'zod';
import { EpochMs, Identifier, NodeName, Sample } from './sample.schema';

export const PROTOCOL_VERSION = 1 as const;

const batchShape = {
  version: z.literal(PROTOCOL_VERSION),
  agentId: Identifier.refine((id) => !id.includes('/'), 'agentId may not contain "/"'),
  /** Random id drawn at each agent start; seq carries on across boots (the agent persists the next seq). */
  bootId: Identifier,
  firstSeq: z.number().int().nonnegative(),
  node: NodeName,
  sentAt: EpochMs,
  samples: z.array(Sample).min(1).max(100_000),
};

function checkConsecutiveSeqs(batch: { firstSeq: number; samples: Array<{ seq: number }> }, ctx: z.RefinementCtx): void {
  batch.samples.forEach((sample, i) => {
    if (sample.seq !== batch.firstSeq + i) {
      ctx.addIssue({
        code: 'custom',
        path: ['samples', i, 'seq'],
        message: `expected seq ${batch.firstSeq + i} (firstSeq + index); got ${sample.seq}`,
      });
    }
  });
}

/** Everything of a batch except its signature: what the HMAC covers. */
export const UnsignedBatch = z.strictObject(batchShape).superRefine(checkConsecutiveSeqs);
export type UnsignedBatch = z.infer<typeof UnsignedBatch>;

export const Signature = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits (HMAC-SHA256)');

/** A batch as it travels on the samples queue. */
export const Batch = z.strictObject({ ...batchShape, signature: Signature }).superRefine(checkConsecutiveSeqs);
export type Batch = z.infer<typeof Batch>;

/** The identity of a batch: the collector records it so a batch delivered twice counts once. */
export function batchKey(batch: Pick<UnsignedBatch, 'agentId' | 'bootId' | 'firstSeq'>): string {
  return `${batch.agentId}/${batch.bootId}/${batch.firstSeq}`;
}

/** The last seq a batch covers (its seqs are consecutive from firstSeq). */
export function lastSeq(batch: Pick<UnsignedBatch, 'firstSeq' | 'samples'>): number {
  return batch.firstSeq + batch.samples.length - 1;
}
