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
 * - before it: the hole back to its predecessor in the boot (`predecessors`, read inside the
 *   transaction and including batches of the same commit);
 * - after it: what is left of a gap it landed in (`removed`, the gaps any added batch fills — see
 *   fillsGap — deleted by the caller), up to that gap's end.
 *
 * The agent carries seq on across restarts (a new bootId, the next seq persisted). So the first
 * batch seen of a boot is compared with the agent's previous boot: `previousBoots` holds, for each
 * batch without a predecessor in its own boot, the agent's batch of another boot with the highest
 * last_seq below its first seq. The restart gap runs from that batch's end to this one's start:
 * the dead window, with the seqs in between (none when the agent numbered on without a hole, so
 * to_seq = from_seq - 1). With no earlier boot, a boot that does not start at seq 0 lost its start.
 */
export function gapsAfterInsert(
  added: readonly BatchSpan[],
  predecessors: ReadonlyMap<BatchSpan, BatchSpan | null>,
  removed: readonly SeqGap[],
  previousBoots: ReadonlyMap<BatchSpan, BatchSpan | null> = new Map(),
): SeqGap[] {
  const gaps: SeqGap[] = [];
  for (const b of added) {
    if (b.firstSeq === 0) continue;
    const pred = predecessors.get(b);
    if (pred === undefined) continue; // the caller knew the predecessor is adjacent
    if (pred === null) {
      const before = previousBoots.get(b);
      if (before) {
        gaps.push({
          agentId: b.agentId,
          bootId: b.bootId,
          node: b.node,
          fromSeq: before.lastSeq + 1,
          toSeq: b.firstSeq - 1,
          fromT: before.lastT1,
          toT: b.firstT0,
        });
      } else {
        gaps.push({
          agentId: b.agentId,
          bootId: b.bootId,
          node: b.node,
          fromSeq: 0,
          toSeq: b.firstSeq - 1,
          fromT: b.firstT0,
          toT: b.firstT0,
        });
      }
    } else if (pred.lastSeq + 1 < b.firstSeq) {
      gaps.push({
        agentId: b.agentId,
        bootId: b.bootId,
        node: b.node,
        fromSeq: pred.lastSeq + 1,
        toSeq: b.firstSeq - 1,
        fromT: pred.lastT1,
        toT: b.firstT0,
      });
    }
  }
  for (const g of removed) {
    let last: BatchSpan | undefined;
    for (const b of added) {
      if (!fillsGap(b, g)) continue;
      if (last === undefined || b.lastSeq > last.lastSeq) last = b;
    }
    if (last === undefined) continue;
    const rest: SeqGap = { ...g, fromSeq: last.lastSeq + 1, fromT: last.lastT1 };
    // A restart gap stays while time is still missing, even once no seq is: the dead window.
    if (rest.fromSeq <= rest.toSeq || (last.bootId !== g.bootId && rest.fromT < rest.toT)) gaps.push(rest);
  }
  return gaps;
}

/**
 * Whether batch `b` lands in gap `g`: same agent, overlapping seqs, and either the gap's own boot or
 * (a restart gap, recorded on the new boot) a late batch of an earlier boot whose time lies inside
 * the gap's window — the old boot's tail arriving after the new boot's first batch, e.g. from a
 * spool replayed late. The time test keeps apart a boot whose seq restarted (its spool was wiped).
 * The repository deletes exactly the gaps this matches (ingest.repository.ts, deleteOverlappedGaps).
 */
export function fillsGap(b: BatchSpan, g: SeqGap): boolean {
  if (b.agentId !== g.agentId || b.lastSeq < g.fromSeq || b.firstSeq > g.toSeq) return false;
  return b.bootId === g.bootId || (b.firstT0 >= g.fromT && b.lastT1 <= g.toT);
}

/**
 * The added batches whose predecessor must be read from the database: those not starting at 0
 * and not directly following another batch of the same commit.
 */
export function needingPredecessor(added: readonly BatchSpan[]): BatchSpan[] {
  const ends = new Set(added.map((b) => `${bootOf(b)}/${b.lastSeq}`));
  return added.filter((b) => b.firstSeq > 0 && !ends.has(`${bootOf(b)}/${b.firstSeq - 1}`));
}
