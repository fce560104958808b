import {
  MessageName,
  QUEUE_PREFIX,
  QueueName,
  agentShard,
  shardPrefix,
  signed,
  type Batch,
  type UnsignedJobEvent,
} from '@wattprint/protocol';
import { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';

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
 * With `shards` > 1 the samples queue is read on every shard (libs/protocol queue-shards.ts).
 */
export class SimQueues {
  /** Shard 0 of the samples queue: the whole samples queue when unsharded. */
  readonly samples: Queue;
  /** Every shard of the samples queue, by shard number. */
  readonly sampleShards: Queue[];
  readonly jobEvents: Queue;
  readonly deadLetters: Queue;

  constructor(
    connection: Redis | Cluster,
    readonly prefix = QUEUE_PREFIX,
    readonly shards = 1,
  ) {
    this.sampleShards = Array.from(
      { length: shards },
      (_, i) => new Queue(QueueName.Samples, { connection, prefix: shardPrefix(prefix, i) }),
    );
    this.samples = this.sampleShards[0];
    this.jobEvents = new Queue(QueueName.JobEvents, { connection, prefix });
    this.deadLetters = new Queue(QueueName.DeadLetters, { connection, prefix });
    for (const q of [...this.sampleShards, this.jobEvents, this.deadLetters]) q.on('error', () => undefined);
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

  /** The counts of the samples queue, every shard added up. */
  async sampleCounts(): Promise<QueueCounts> {
    const all = await Promise.all(this.sampleShards.map((q) => this.counts(q)));
    return all.reduce((t, c) => ({
      pending: t.pending + c.pending,
      active: t.active + c.active,
      completed: t.completed + c.completed,
      failed: t.failed + c.failed,
    }));
  }

  /** True when neither the samples queue (any shard) nor the job-events queue holds anything waiting or in progress. */
  async drained(): Promise<boolean> {
    const [s, e] = await Promise.all([this.sampleCounts(), this.counts(this.jobEvents)]);
    return s.pending === 0 && e.pending === 0;
  }

  /** Every completed message of the samples queue (every shard) with its batch. */
  async completedBatches(): Promise<CompletedBatch[]> {
    const jobs = (await Promise.all(this.sampleShards.map((q) => q.getCompleted(0, -1)))).flat();
    return jobs
      .filter((j) => j.name === MessageName.Batch && j.id !== undefined)
      .map((j) => ({ jobId: j.id!, batch: j.data as Batch, stalledCounter: j.stalledCounter ?? 0 }));
  }

  /** Batches some consumer holds right now (every shard), with the time it took each. */
  async activeBatches(): Promise<Array<{ jobId: string; processedOn: number }>> {
    const jobs = (await Promise.all(this.sampleShards.map((q) => q.getActive(0, -1)))).flat();
    return jobs.filter((j) => j.id !== undefined).map((j) => ({ jobId: j.id!, processedOn: j.processedOn ?? 0 }));
  }

  /**
   * Adds completed batches again under new job ids (`<id>.readd`), as a spool replayed after BullMQ
   * forgot the first copy would: BullMQ's job-id dedupe cannot hide them, so only the collector's
   * batch-key dedupe stands between them and a double count.
   */
  async readd(batches: readonly CompletedBatch[]): Promise<string[]> {
    const ids: string[] = [];
    // each to the shard its agent sends to, as its spool would
    for (const [shard, queue] of this.sampleShards.entries()) {
      const mine = batches.filter((b) => agentShard(b.batch.agentId, this.shards) === shard);
      if (mine.length === 0) continue;
      const added = await queue.addBulk(
        mine.map((b) => ({
          name: MessageName.Batch,
          data: b.batch,
          opts: { jobId: `${b.jobId}.readd`, removeOnComplete: false, removeOnFail: false },
        })),
      );
      ids.push(...added.map((j) => j.id!));
    }
    return ids;
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
    await Promise.all([...this.sampleShards, this.jobEvents, this.deadLetters].map((q) => q.close()));
  }
}
