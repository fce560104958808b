import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { MessageName, QueueName } from '@wattprint/protocol';
import { Job, type JobJsonRaw, type MinimalQueue, Queue, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import { createRedisConnection } from './redis-connection';

/**
 * Handles one message; resolving acknowledges it. `text` is the JSON the data was parsed from, so
 * a signature can be checked on those very bytes (see verifyText in libs/protocol).
 */
export type MessageHandler = (data: unknown, jobId: string | undefined, text: string | undefined) => Promise<void>;

/** A job that keeps the JSON text of its data, which BullMQ otherwise parses and drops. */
class JobWithText<T = unknown, R = unknown, N extends string = string> extends Job<T, R, N> {
  dataText: string | undefined;

  static override fromJSON<T = unknown, R = unknown, N extends string = string>(
    queue: MinimalQueue,
    json: JobJsonRaw,
    jobId?: string,
  ): JobWithText<T, R, N> {
    // `this` is JobWithText here, so Job.fromJSON constructs one
    const job = super.fromJSON<T, R, N>(queue, json, jobId) as JobWithText<T, R, N>;
    job.dataText = json.data;
    return job;
  }
}

/** BullMQ builds each job it takes through this getter, made for swapping in a Job subclass. */
class TextKeepingWorker extends Worker {
  protected override get Job(): typeof Job {
    return JobWithText;
  }
}

/** Thrown by a handler that could not finish (shutdown): the message goes back to the queue for another consumer. */
export class RequeueError extends Error {
  constructor(readonly why: string) {
    super(`requeued: ${why}`);
    this.name = 'RequeueError';
  }
}

export interface DeadLetterMessage {
  queue: string;
  jobId: string | null;
  reason: string;
  detail: string;
  payload: unknown;
  receivedAt: string;
}

/** Every access to Redis: the queues the collector reads and writes, and their workers. */
@Injectable()
export class QueueRepository implements OnApplicationShutdown {
  private readonly logger = new Logger('QueueRepository');
  private readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers = new Map<QueueName, Worker>();

  constructor(@Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig) {
    this.connection = createRedisConnection(config.redisUrl);
  }

  private queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = new Queue(name, { connection: this.connection, prefix: this.config.queuePrefix });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Starts consuming a queue. A handler that throws RequeueError puts the message back to wait. */
  startWorker(name: QueueName, handler: MessageHandler, concurrency: number): void {
    if (this.workers.has(name)) throw new Error(`a worker already consumes ${name}`);
    const worker = new TextKeepingWorker(
      name,
      async (job: Job, token?: string) => {
        try {
          await handler(job.data, job.id, (job as JobWithText).dataText);
        } catch (error) {
          if (error instanceof RequeueError) {
            await job.moveToWait(token);
            throw new WaitingError();
          }
          throw error;
        }
      },
      {
        connection: this.connection,
        prefix: this.config.queuePrefix,
        concurrency,
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 10_000 },
      },
    );
    worker.on('error', (error) => this.logger.warn(`worker ${name}: ${error.message}`));
    worker.on('failed', (job, error) => this.logger.warn(`job ${job?.id ?? '?'} on ${name} failed: ${error.message}`));
    this.workers.set(name, worker);
  }

  /** Stops taking new messages from a queue; those being handled carry on. */
  pauseWorker(name: QueueName): void {
    void this.workers.get(name)?.pause(true);
  }

  resumeWorker(name: QueueName): void {
    this.workers.get(name)?.resume();
  }

  /** Stops the workers, waiting for the messages being handled. */
  async closeWorkers(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.close()));
    this.workers.clear();
  }

  async addDeadLetter(letter: DeadLetterMessage): Promise<void> {
    await this.queue(QueueName.DeadLetters).add(MessageName.DeadLetter, letter, {
      // one dead letter per original message, however often it was delivered
      jobId: letter.jobId === null ? undefined : `dl.${letter.queue}.${letter.jobId}`,
      removeOnComplete: true,
    });
  }

  /** Messages waiting or being handled on a queue. */
  async depth(name: QueueName): Promise<number> {
    const counts = await this.queue(name).getJobCounts('waiting', 'active', 'prioritized');
    return (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0);
  }

  /** True when Redis answers within `timeoutMs`. */
  async ping(timeoutMs = 1000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.connection.ping().then((r) => r === 'PONG'), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.closeWorkers();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    this.connection.disconnect();
  }
}
