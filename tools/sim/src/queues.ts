import { MessageName, QUEUE_PREFIX, QueueName, signed, type Batch, type UnsignedJobEvent } from '@wattprint/protocol';
import { Queue } from 'bullmq';
import type IORedis from 'ioredis';

/** Messages not yet handled: what "the queue is drained" waits on. */
const PENDING_STATES = ['wait', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children'] as const;

export interface QueueCounts {
  pending: number;
  active: number;
  completed: number;
  failed: number;
}

export interface CompletedBatch {
  jobId: string;
  batch: Batch;
  /** Times BullMQ found it stalled (its consumer died or froze) and put it back to wait. */
  stalledCounter: number;
}

/**
 * The harness's own view of the BullMQ queues an agent fills and the collectors drain: counts, the
 * completed batches, re-adding some of them, and publishing job events as a scheduler integration would.
 */
export class SimQueues {
  readonly samples: Queue;
  readonly jobEvents: Queue;
  readonly deadLetters: Queue;

  constructor(
    connection: IORedis,
    readonly prefix = QUEUE_PREFIX,
  ) {
    this.samples = new Queue(QueueName.Samples, { connection, prefix });
    this.jobEvents = new Queue(QueueName.JobEvents, { connection, prefix });
    this.deadLetters = new Queue(QueueName.DeadLetters, { connection, prefix });
    for (const q of [this.samples, this.jobEvents, this.deadLetters]) q.on('error', () => undefined);
  }

  async counts(queue: Queue): Promise<QueueCounts> {
    const c = await queue.getJobCounts(...PENDING_STATES, 'completed', 'failed');
    return {
      pending: PENDING_STATES.reduce((n, s) => n + (c[s] ?? 0), 0),
      active: c.active ?? 0,
      completed: c.completed ?? 0,
      failed: c.failed ?? 0,
    };
  }

  /** True when neither the samples nor the job-events queue holds anything waiting or in progress. */
  async drained(): Promise<boolean> {
    const [s, e] = await Promise.all([this.counts(this.samples), this.counts(this.jobEvents)]);
    return s.pending === 0 && e.pending === 0;
  }

  /** Every completed message of the samples queue with its batch. */
  async completedBatches(): Promise<CompletedBatch[]> {
    const jobs = await this.samples.getCompleted(0, -1);
    return jobs
      .filter((j) => j.name === MessageName.Batch && j.id !== undefined)
      .map((j) => ({ jobId: j.id!, batch: j.data as Batch, stalledCounter: j.stalledCounter ?? 0 }));
  }

  /** Batches some consumer holds right now, with the time it took each. */
  async activeBatches(): Promise<Array<{ jobId: string; processedOn: number }>> {
    const jobs = await this.samples.getActive(0, -1);
    return jobs.filter((j) => j.id !== undefined).map((j) => ({ jobId: j.id!, processedOn: j.processedOn ?? 0 }));
  }

  /**
   * Adds completed batches again under new job ids (`<id>.readd`), as a spool replayed after BullMQ
   * forgot the first copy would: BullMQ's job-id dedupe cannot hide them, so only the collector's
   * batch-key dedupe stands between them and a double count.
   */
  async readd(batches: readonly CompletedBatch[]): Promise<string[]> {
    const added = await this.samples.addBulk(
      batches.map((b) => ({
        name: MessageName.Batch,
        data: b.batch,
        opts: { jobId: `${b.jobId}.readd`, removeOnComplete: false, removeOnFail: false },
      })),
    );
    return added.map((j) => j.id!);
  }

  /** Signs a job event with the agent's key and adds it to the job-events queue. */
  async publishJobEvent(event: UnsignedJobEvent, agentKey: string): Promise<void> {
    await this.jobEvents.add(MessageName.JobEvent, signed(event, agentKey), {
      jobId: `e.${event.eventId}`,
      removeOnComplete: false,
      removeOnFail: false,
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.samples.close(), this.jobEvents.close(), this.deadLetters.close()]);
  }
}
