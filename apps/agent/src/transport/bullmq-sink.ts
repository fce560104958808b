import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { QUEUE_PREFIX, QueueName } from '@wattprint/protocol';
import type { Logger } from '../logger';
import type { OutboundMessage } from './outbound-message';

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

/**
 * BullMQ producers on the samples and job-events queues over one ioredis connection that fails fast
 * (`enableOfflineQueue: false`): while Redis is away an add fails at once instead of queueing in memory.
 */
export class BullMqSink implements MessageSink {
  private readonly connection: IORedis;
  private readonly queues: Map<QueueName, Queue>;
  private downSince: number | null = null;

  private readonly addTimeoutMs: number;

  constructor(
    redisUrl: string,
    private readonly log: Logger,
    options: { prefix?: string; addTimeoutMs?: number } = {},
  ) {
    this.addTimeoutMs = options.addTimeoutMs ?? 5000;
    this.connection = new IORedis(redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(times * 200, 5000),
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
    const opts = { connection: this.connection, prefix: options.prefix ?? QUEUE_PREFIX };
    this.queues = new Map([
      [QueueName.Samples, new Queue(QueueName.Samples, opts)],
      [QueueName.JobEvents, new Queue(QueueName.JobEvents, opts)],
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
