import type { UnsignedJobEvent } from '@wattprint/protocol';
import type { Scenario } from './scenario-file';

/** A job event and the trace time it belongs to; the publisher sends it when the replay reaches `traceMs`. */
export interface PlannedJobEvent {
  traceMs: number;
  node: string;
  event: UnsignedJobEvent;
}

/**
 * The events a scheduler integration would send for the scenario's jobs: a `start` with the job's
 * metadata from every node it runs on (as each node's agent would), and an `end` for every job that
 * ends inside the window (a truncated job is still running when the trace ends). Sorted by time.
 * `agentOf` names each node's agent; `runId` makes event ids unique per run.
 */
export function planJobEvents(scenario: Scenario, agentOf: (node: string) => string, runId: string): PlannedJobEvent[] {
  const planned: PlannedJobEvent[] = [];
  for (const job of scenario.jobs) {
    for (const { node } of job.placement) {
      const base = { agentId: agentOf(node), node, jobId: job.id };
      planned.push({
        traceMs: job.startMs,
        node,
        event: { ...base, eventId: `qs.${runId}.${job.id}.${node}.start`, type: 'start', at: job.startMs, metadata: job.metadata },
      });
      if (!job.truncated) {
        planned.push({
          traceMs: job.endMs,
          node,
          event: { ...base, eventId: `qs.${runId}.${job.id}.${node}.end`, type: 'end', at: job.endMs, exitCode: 0 },
        });
      }
    }
  }
  // Starts before ends at the same instant: a job ending as another starts on the same devices.
  return planned.sort((a, b) => a.traceMs - b.traceMs || (a.event.type === 'start' ? -1 : 1) - (b.event.type === 'start' ? -1 : 1));
}

/** Wall-clock ms after the replay started at which trace time `traceMs` is reached. */
export function wallOffsetMs(traceMs: number, traceStartMs: number, speed: number): number {
  return Math.max(0, (traceMs - traceStartMs) / speed);
}
