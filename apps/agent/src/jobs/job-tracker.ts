import type { JobMetadata, UnsignedJobEvent } from '@wattprint/protocol';

/**
 * Start and end events from the jobs seen poll after poll. A job is started when first seen and ended once
 * it has not been seen for `endAfterMs` (a job between two processes is not ended at once).
 */
export class JobTracker {
  private readonly active = new Map<string, { lastSeen: number }>();

  constructor(
    private readonly ids: { agentId: string; node: string; bootId: string },
    private readonly endAfterMs: number,
    private readonly newId: () => string,
  ) {}

  observe(jobs: Map<string, JobMetadata>, now: number): UnsignedJobEvent[] {
    const events: UnsignedJobEvent[] = [];
    const base = () => ({ eventId: this.newId(), agentId: this.ids.agentId, node: this.ids.node, at: now });
    for (const [jobId, metadata] of jobs) {
      const known = this.active.get(jobId);
      if (known) known.lastSeen = now;
      else {
        this.active.set(jobId, { lastSeen: now });
        events.push({ ...base(), type: 'start', jobId, metadata });
      }
    }
    for (const [jobId, state] of this.active) {
      if (now - state.lastSeen >= this.endAfterMs) {
        this.active.delete(jobId);
        events.push({ ...base(), type: 'end', jobId, at: state.lastSeen, exitCode: null });
      }
    }
    return events;
  }

  get activeJobs(): string[] {
    return [...this.active.keys()];
  }
}
