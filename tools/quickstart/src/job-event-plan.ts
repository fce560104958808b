import type { SchedulerJobEvent } from '@wattprint/api-client';
import type { Scenario } from './scenario-file';

/** A job event and the trace time it belongs to; the publisher sends it when the replay reaches `traceMs`. */
export interface PlannedJobEvent {
  traceMs: number;
  event: SchedulerJobEvent;
}

/**
 * What a scheduler (a Slurm prolog and epilog) would publish for the scenario's jobs through
 * POST /api/v1/job-events: a `start` with the job's metadata and nodes, and an `end` for every job
 * that ends inside the window (a truncated job is still running when the trace ends). Sorted by
 * time; `runId` makes event ids unique per run. What it says outranks what the replaying agents infer.
 */
export function planJobEvents(scenario: Scenario, runId: string): PlannedJobEvent[] {
  const planned: PlannedJobEvent[] = [];
  for (const job of scenario.jobs) {
    planned.push({
      traceMs: job.startMs,
      event: {
        eventId: `qs.${runId}.${job.id}.start`,
        type: 'start',
        jobId: job.id,
        at: job.startMs,
        metadata: job.metadata,
        nodes: job.placement.map((p) => p.node),
      },
    });
    if (!job.truncated) {
      planned.push({
        traceMs: job.endMs,
        event: { eventId: `qs.${runId}.${job.id}.end`, type: 'end', jobId: job.id, at: job.endMs, exitCode: 0, exitState: 'COMPLETED' },
      });
    }
  }
  // Starts before ends at the same instant: a job ending as another starts on the same devices.
  return planned.sort((a, b) => a.traceMs - b.traceMs || (a.event.type === 'start' ? -1 : 1) - (b.event.type === 'start' ? -1 : 1));
}

/** Wall-clock ms after the replay started at which trace time `traceMs` is reached. */
export function wallOffsetMs(traceMs: number, traceStartMs: number, speed: number): number {
  return Math.max(0, (traceMs - traceStartMs) / speed);
}
