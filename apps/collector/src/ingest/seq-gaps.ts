import type { BatchSpan } from './prepared-batch';

/** A missing seq range of one agent boot, as stored in seq_gaps. */
export interface SeqGap {
  agentId: string;
  bootId: string;
  node: string;
  fromSeq: number;
  toSeq: number;
  /** End of the batch before the gap (or the start of the batch after it, for a gap at the head of a boot). */
  fromT: number;
  /** Start of the batch after the gap. */
  toT: number;
}

export function bootOf(b: { agentId: string; bootId: string }): string {
  return `${b.agentId}/${b.bootId}`;
}

/**
 * The gaps to write after a commit added `added` batches. Gaps are the holes between consecutive
 * ingested batches of a boot, so a new batch only changes the hole it lands in:
 * - before it: the hole back to its predecessor (`predecessors`, read inside the transaction and
 *   including batches of the same commit), or back to seq 0 when it is the first one seen;
 * - after it: what is left of a gap it landed in (`removed`, the gaps overlapping any added batch,
 *   deleted by the caller), up to that gap's end.
 * Seqs are assumed to start at 0 on each boot.
 */
export function gapsAfterInsert(
  added: readonly BatchSpan[],
  predecessors: ReadonlyMap<BatchSpan, BatchSpan | null>,
  removed: readonly SeqGap[],
): SeqGap[] {
  const gaps: SeqGap[] = [];
  for (const b of added) {
    if (b.firstSeq === 0) continue;
    const pred = predecessors.get(b);
    if (pred === undefined) continue; // the caller knew the predecessor is adjacent
    if (pred === null) {
      gaps.push({ agentId: b.agentId, bootId: b.bootId, node: b.node, fromSeq: 0, toSeq: b.firstSeq - 1, fromT: b.firstT0, toT: b.firstT0 });
    } else if (pred.lastSeq + 1 < b.firstSeq) {
      gaps.push({ agentId: b.agentId, bootId: b.bootId, node: b.node, fromSeq: pred.lastSeq + 1, toSeq: b.firstSeq - 1, fromT: pred.lastT1, toT: b.firstT0 });
    }
  }
  for (const g of removed) {
    let last: BatchSpan | undefined;
    for (const b of added) {
      if (bootOf(b) !== bootOf(g) || b.lastSeq < g.fromSeq || b.firstSeq > g.toSeq) continue;
      if (last === undefined || b.lastSeq > last.lastSeq) last = b;
    }
    if (last !== undefined && last.lastSeq < g.toSeq) {
      gaps.push({ ...g, fromSeq: last.lastSeq + 1, fromT: last.lastT1 });
    }
  }
  return gaps;
}

/**
 * The added batches whose predecessor must be read from the database: those not starting at 0
 * and not directly following another batch of the same commit.
 */
export function needingPredecessor(added: readonly BatchSpan[]): BatchSpan[] {
  const ends = new Set(added.map((b) => `${bootOf(b)}/${b.lastSeq}`));
  return added.filter((b) => b.firstSeq > 0 && !ends.has(`${bootOf(b)}/${b.firstSeq - 1}`));
}
