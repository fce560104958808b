import type { BucketDelta } from './minute-split';

/** One row per bucket key, so a commit upserts each bucket once however many samples it got. */
export type BucketRow = BucketDelta;

function keyOf(d: Pick<BucketDelta, 'jobId' | 'node' | 'device' | 'minuteStart'>): string {
  // NUL separates the parts: it never appears in ids or node names, so distinct keys never collide.
  return `${d.jobId}\u0000${d.node}\u0000${d.device}\u0000${d.minuteStart}`;
}

function maxPower(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** Accumulates deltas from many batches into one row per bucket key. */
export class BucketAccumulator {
  private readonly byKey = new Map<string, BucketRow>();

  add(deltas: readonly BucketDelta[]): void {
    for (const d of deltas) {
      const key = keyOf(d);
      const row = this.byKey.get(key);
      if (row === undefined) {
        this.byKey.set(key, { ...d });
      } else {
        row.joules += d.joules;
        row.samples += d.samples;
        row.durationMs += d.durationMs;
        row.peakPowerW = maxPower(row.peakPowerW, d.peakPowerW);
      }
    }
  }

  /** The rows in no particular order. */
  rows(): BucketRow[] {
    return [...this.byKey.values()];
  }

  /**
   * The rows sorted by key. Every collector writes bucket rows in this one order, so two
   * transactions that touch overlapping buckets lock them in the same order and cannot deadlock.
   */
  sortedRows(): BucketRow[] {
    return [...this.byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  }
}

/** Jobs seen in samples: the earliest and latest sample time per job id (idle excluded). */
export interface SeenJob {
  jobId: string;
  firstSeenAt: number;
  lastSeenAt: number;
}

export function mergeSeenJobs(jobs: Iterable<SeenJob>): SeenJob[] {
  const byId = new Map<string, SeenJob>();
  for (const j of jobs) {
    const seen = byId.get(j.jobId);
    if (seen === undefined) byId.set(j.jobId, { ...j });
    else {
      seen.firstSeenAt = Math.min(seen.firstSeenAt, j.firstSeenAt);
      seen.lastSeenAt = Math.max(seen.lastSeenAt, j.lastSeenAt);
    }
  }
  return [...byId.values()].sort((a, b) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0));
}
