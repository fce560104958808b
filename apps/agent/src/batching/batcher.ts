import { signed, type Batch, type Sample, type UnsignedBatch } from '@wattprint/protocol';
import type { SampleDraft } from '../attribution/attributor';
import type { SeqStore } from '../spool/seq-store';

export interface BatchIdentity {
  agentId: string;
  bootId: string;
  node: string;
  key: string;
}

/** Well under the schema's 100 000, so a batch stays a modest Redis value. */
export const MAX_SAMPLES_PER_BATCH = 10_000;

/**
 * Collects sample drafts between flushes and turns them into signed batches whose seqs run on from the
 * previous batch (firstSeq .. firstSeq + n − 1), the next seq persisted before the batch leaves.
 */
export class Batcher {
  private pending: SampleDraft[] = [];

  constructor(
    private readonly id: BatchIdentity,
    private readonly seqs: SeqStore,
  ) {}

  add(drafts: SampleDraft[]): void {
    for (const d of drafts) if (d.t1 > d.t0 && Number.isFinite(d.energyJ) && d.energyJ >= 0) this.pending.push(d);
  }

  get pendingSamples(): number {
    return this.pending.length;
  }

  take(now: number): Batch[] {
    const batches: Batch[] = [];
    while (this.pending.length > 0) {
      const drafts = this.pending.splice(0, MAX_SAMPLES_PER_BATCH);
      const firstSeq = this.seqs.reserve(drafts.length);
      const samples: Sample[] = drafts.map((d, i) => ({ seq: firstSeq + i, ...d }));
      const unsigned: UnsignedBatch = {
        version: 1,
        agentId: this.id.agentId,
        bootId: this.id.bootId,
        firstSeq,
        node: this.id.node,
        sentAt: now,
        samples,
      };
      batches.push(signed(unsigned, this.id.key));
    }
    return batches;
  }
}
