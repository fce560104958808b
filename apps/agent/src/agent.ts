import { randomUUID } from 'node:crypto';
import { MessageName, QueueName, batchJobId, signed } from '@wattprint/protocol';
import type { Attributor } from './attribution/attributor';
import type { Batcher } from './batching/batcher';
import { type JobTracker, seenSpans } from './jobs/job-tracker';
import type { Logger } from './logger';
import { type AgentMetrics, noMetrics } from './metrics/agent-metrics';
import type { EnergySource } from './sources/energy-source';
import type { Outbox } from './transport/outbox';

export interface AgentParts {
  sources: EnergySource[];
  attributor: Attributor;
  batcher: Batcher;
  jobs: JobTracker;
  outbox: Outbox;
  key: string;
  intervalMs: number;
  flushMs: number;
  log: Logger;
  /** Samples read and faults per source; none by default. */
  metrics?: AgentMetrics;
}

export const newBootId = (): string => randomUUID();

/**
 * The agent's loop: every interval, poll the sources and attribute their energy to jobs; every flush, one
 * signed batch to the samples queue (or the spool) and a replay of whatever the spool holds.
 */
export class Agent {
  private tickTimer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private busy: Promise<void> = Promise.resolve();
  private stopped = false;
  ticks = 0;
  flushes = 0;

  constructor(private readonly parts: AgentParts) {}

  async start(): Promise<void> {
    for (const s of this.parts.sources) await s.start();
    await this.parts.outbox.drain();
    this.schedule();
  }

  private schedule(): void {
    // Timers are re-armed after each run, so a slow tick delays the next one instead of overlapping it.
    const tick = () => {
      this.tickTimer = setTimeout(() => {
        this.serial(() => this.tick()).finally(() => !this.stopped && tick());
      }, this.parts.intervalMs);
    };
    const flush = () => {
      this.flushTimer = setTimeout(() => {
        this.serial(() => this.flush()).finally(() => !this.stopped && flush());
      }, this.parts.flushMs);
    };
    tick();
    flush();
  }

  /** Ticks and flushes never interleave: a flush sees every sample of the ticks before it. */
  private serial(fn: () => Promise<void>): Promise<void> {
    this.busy = this.busy.then(fn).catch((error) => this.parts.log.error('agent step failed', { error: (error as Error).stack }));
    return this.busy;
  }

  async tick(now = Date.now()): Promise<void> {
    this.ticks++;
    const metrics = this.parts.metrics ?? noMetrics;
    const intervals = (
      await Promise.all(
        this.parts.sources.map((s) =>
          s.poll(now).then(
            (read) => {
              metrics.samplesRead(s.kind, read.length);
              return read;
            },
            (error) => {
              metrics.sourceError(s.kind);
              this.parts.log.warn('source poll failed', { source: s.kind, error: (error as Error).message });
              return [];
            },
          ),
        ),
      )
    ).flat();
    const { drafts, jobs } = await this.parts.attributor.attribute(intervals);
    this.parts.batcher.add(drafts);
    for (const event of this.parts.jobs.observe(jobs, now, seenSpans(drafts))) {
      const message = signed(event, this.parts.key);
      await this.parts.outbox.send({ queue: QueueName.JobEvents, name: MessageName.JobEvent, jobId: `e.${event.eventId}`, data: message });
    }
  }

  async flush(now = Date.now()): Promise<void> {
    this.flushes++;
    for (const batch of this.parts.batcher.take(now)) {
      await this.parts.outbox.send({ queue: QueueName.Samples, name: MessageName.Batch, jobId: batchJobId(batch), data: batch });
    }
    await this.parts.outbox.drain();
  }

  /** Graceful stop (SIGTERM): a last poll and flush, so a clean shutdown loses nothing. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await this.serial(async () => {
      await this.tick();
      await this.flush();
    });
    for (const s of this.parts.sources) await s.stop().catch(() => undefined);
  }
}
