import type { JobMetadata, UnsignedJobEvent } from '@wattprint/protocol';

/** The time a job's samples cover in one poll: what its events should say, rather than the wall clock. */
export interface SeenSpan {
  t0: number;
  t1: number;
}

/**
 * Start and end events from the jobs seen poll after poll. A job is started when first seen and ended once
 * it has not been seen for `endAfterMs` of wall-clock time (a job between two processes is not ended at
 * once). The events carry the times of the job's samples when there are any (a replayed trace runs on
 * trace time, not the wall clock), else the poll's time.
 */
export class JobTracker {
  private readonly active = new Map<string, { lastSeenWall: number; lastSeenAt: number }>();

  constructor(
    private readonly ids: { agentId: string; node: string; bootId: string },
    private readonly endAfterMs: number,
    private readonly newId: () => string,
  ) {}

  observe(jobs: Map<string, JobMetadata>, now: number, spans: ReadonlyMap<string, SeenSpan> = new Map()): UnsignedJobEvent[] {
    const events: UnsignedJobEvent[] = [];
    const base = (at: number) => ({ eventId: this.newId(), agentId: this.ids.agentId, node: this.ids.node, at });
    for (const [jobId, metadata] of jobs) {
      const span = spans.get(jobId);
      const known = this.active.get(jobId);
      const seenAt = span?.t1 ?? now;
      if (known) {
        known.lastSeenWall = now;
        known.lastSeenAt = Math.max(known.lastSeenAt, seenAt);
      } else {
        this.active.set(jobId, { lastSeenWall: now, lastSeenAt: seenAt });
        events.push({ ...base(span?.t0 ?? now), type: 'start', jobId, metadata });
      }
    }
    for (const [jobId, state] of this.active) {
      if (now - state.lastSeenWall >= this.endAfterMs) {
        this.active.delete(jobId);
        events.push({ ...base(state.lastSeenAt), type: 'end', jobId, exitCode: null });
      }
    }
    return events;
  }

  get activeJobs(): string[] {
    return [...this.active.keys()];
  }
}

/** Per job, the earliest start and latest end of its samples in one poll (idle excluded). */
export function seenSpans(samples: ReadonlyArray<{ jobId: string | null; t0: number; t1: number }>): Map<string, SeenSpan> {
  const spans = new Map<string, SeenSpan>();
  for (const s of samples) {
    if (s.jobId === null) continue;
    const span = spans.get(s.jobId);
    if (span === undefined) spans.set(s.jobId, { t0: s.t0, t1: s.t1 });
    else {
      span.t0 = Math.min(span.t0, s.t0);
      span.t1 = Math.max(span.t1, s.t1);
    }
  }
  return spans;
}
