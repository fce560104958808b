import { Queue } from 'bullmq';
import { QUEUE_PREFIX, QueueName, shardPrefix } from '@wattprint/protocol';
import type { Logger } from '../logger';
import type { OutboundMessage } from './outbound-message';
import { type RedisClient, createRedisClient } from './redis-client';

/** Where messages go when Redis is up. */
export interface MessageSink {
  /** True when an add can be tried now; false sends messages straight to the spool. */
  readonly ready: boolean;
  add(message: OutboundMessage): Promise<void>;
  close(): Promise<void>;
}

export class SinkTimeoutError extends Error {
  constructor(ms: number) {
    super(`Redis did not acknowledge the add within ${ms} ms`);
    this.name = 'SinkTimeoutError';
  }
}

export interface BullMqSinkOptions {
  prefix?: string;
  addTimeoutMs?: number;
  /** The queue shard batches go to (agentShard of the agent id); 0 by default, the unsharded queue. */
  shard?: number;
  /** REDIS_URL names a node of a Redis Cluster. */
  cluster?: boolean;
}

/**
 * BullMQ producers on the samples and job-events queues over one ioredis connection that fails fast
 * (`enableOfflineQueue: false`): while Redis is away an add fails at once instead of queueing in memory.
 *
 * Batches go to the agent's own shard of the samples queue; job events to shard 0's job-events queue,
 * the one every collector consumes (docs/deploy.md, "Queue shards": they are few, and one queue
 * keeps the collectors' connection count at one per shard).
 */
export class BullMqSink implements MessageSink {
  private readonly connection: RedisClient;
  private readonly queues: Map<QueueName, Queue>;
  private downSince: number | null = null;

  private readonly addTimeoutMs: number;

  constructor(
    redisUrl: string,
    private readonly log: Logger,
    options: BullMqSinkOptions = {},
  ) {
    this.addTimeoutMs = options.addTimeoutMs ?? 5000;
    const retry = (times: number) => Math.min(times * 200, 5000);
    this.connection = createRedisClient({
      url: redisUrl,
      cluster: options.cluster ?? false,
      redis: options.cluster
        ? { maxRetriesPerRequest: null }
        : { enableOfflineQueue: false, maxRetriesPerRequest: null, retryStrategy: retry },
      // a cluster client queues offline commands at its own level: refused there too, so an add while
      // the cluster is unreachable goes to the spool at once
      clusterOptions: { enableOfflineQueue: false, clusterRetryStrategy: retry },
    });
    // Log transitions only: a Redis away for an hour must not write a line per retry.
    this.connection.on('error', (error) => {
      if (this.downSince === null) {
        this.downSince = Date.now();
        this.log.warn('Redis unreachable; spooling to disk', { error: error.message });
      }
    });
    this.connection.on('ready', () => {
      if (this.downSince !== null) this.log.info('Redis reachable again', { downMs: Date.now() - this.downSince });
      this.downSince = null;
    });
    const prefix = options.prefix ?? QUEUE_PREFIX;
    this.queues = new Map([
      [QueueName.Samples, new Queue(QueueName.Samples, { connection: this.connection, prefix: shardPrefix(prefix, options.shard ?? 0) })],
      [QueueName.JobEvents, new Queue(QueueName.JobEvents, { connection: this.connection, prefix })],
    ]);
    for (const q of this.queues.values()) q.on('error', () => undefined); // reported through the connection
  }

  get ready(): boolean {
    return this.connection.status === 'ready';
  }

  async add(message: OutboundMessage): Promise<void> {
    const queue = this.queues.get(message.queue);
    if (!queue) throw new Error(`no queue ${message.queue}`);
    let timer: NodeJS.Timeout | undefined;
    // BullMQ waits for a connection rather than failing; the timeout turns that wait into a spool write.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SinkTimeoutError(this.addTimeoutMs)), this.addTimeoutMs);
    });
    try {
      await Promise.race([
        queue.add(message.name, message.data, {
          jobId: message.jobId,
          attempts: 10,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: { age: 3600 },
          removeOnFail: { age: 7 * 24 * 3600 },
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}
