import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { MAX_QUEUE_SHARDS, MessageName, QueueName, shardPrefix } from '@wattprint/protocol';
import { DelayedError, Job, type JobJsonRaw, type JobType, type MinimalQueue, Queue, WaitingError, Worker } from 'bullmq';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import type { RedisClient } from './redis-client';
import { createRedisConnection } from './redis-connection';

/** One message as a handler gets it. */
export interface QueuedMessage {
  /** The parsed data; null when it was not JSON (see `unparseable`). */
  data: unknown;
  /** Its BullMQ job id. */
  jobId: string | undefined;
  /** The JSON text the data was parsed from, so a signature can be checked on those very bytes (verifyText in libs/protocol). */
  text: string | undefined;
  /** Why the data could not be parsed as JSON, when it could not. */
  unparseable: string | undefined;
  /** Times a consumer took it and died or froze before finishing it. */
  stalls: number;
  /** When it was queued (epoch ms). */
  queuedAt: number;
  /**
   * Lets go of the parsed data (here and on the BullMQ job), keeping the text for a dead letter. A
   * batch waits for its group commit for up to a commit's length while hundreds more arrive: their
   * samples, thousands of small objects, would otherwise be copied by every young-generation GC
   * meanwhile. Call it once the handler holds what it needs in its own form.
   */
  release(): void;
}

/** Handles one message; resolving acknowledges it. */
export type MessageHandler = (message: QueuedMessage) => Promise<void>;

/** A job that keeps the JSON text of its data, which BullMQ otherwise parses and drops, and survives data that is not JSON. */
class JobWithText<T = unknown, R = unknown, N extends string = string> extends Job<T, R, N> {
  dataText: string | undefined;
  unparseable: string | undefined;

  static override fromJSON<T = unknown, R = unknown, N extends string = string>(
    queue: MinimalQueue,
    json: JobJsonRaw,
    jobId?: string,
  ): JobWithText<T, R, N> {
    // `this` is JobWithText here, so Job.fromJSON constructs one
    let job: JobWithText<T, R, N>;
    try {
      job = super.fromJSON<T, R, N>(queue, json, jobId) as JobWithText<T, R, N>;
    } catch (error) {
      // BullMQ would throw on every attempt to take the job, leaving it active until it stalls, over
      // and over: take it with no data instead, so the handler can set it aside
      job = super.fromJSON<T, R, N>(queue, { ...json, data: 'null' }, jobId) as JobWithText<T, R, N>;
      job.unparseable = (error as Error).message;
    }
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

/** Thrown by a handler that cannot finish yet: the message waits `delayMs`, then is handled again. */
export class RetryLaterError extends Error {
  constructor(
    readonly delayMs: number,
    readonly why: string,
  ) {
    super(`retry in ${delayMs} ms: ${why}`);
    this.name = 'RetryLaterError';
  }
}

/** Back-off for a handler error nobody foresaw: the message is kept, never failed. */
const UNEXPECTED_ERROR_DELAY_MS = 5_000;

/**
 * BullMQ moves a job that stalled more than maxStalledCount times to its failed set. The handler
 * dead-letters a message at `maxStalls` (with a reason and the metric), so BullMQ's own limit sits
 * above it and is never what acts.
 */
const BULLMQ_STALL_MARGIN = 2;

export interface DeadLetterMessage {
  queue: string;
  jobId: string | null;
  reason: string;
  detail: string;
  payload: unknown;
  receivedAt: string;
}

/**
 * The queues that exist once per shard. Job events and dead letters are few (a handful per job, or
 * per bad message): they stay on shard 0, the configured prefix, so each collector runs one job-events
 * worker whatever K is, and operators find every dead letter in one queue (docs/deploy.md, "Queue shards").
 */
const SHARDED: ReadonlySet<QueueName> = new Set([QueueName.Samples]);

/** The BullMQ states of messages still to be handled (the same as `wattprint_queue_depth`'s). */
const PENDING_STATES = ['waiting', 'active', 'prioritized', 'delayed'] as const;

/** Every access to Redis: the queues the collector reads and writes, and their workers. */
@Injectable()
export class QueueRepository implements OnApplicationShutdown {
  private readonly logger = new Logger('QueueRepository');
  private readonly connection: RedisClient;
  /** By prefix and name. */
  private readonly queues = new Map<string, Queue>();
  /** Every worker of a queue: one per shard for a sharded queue. */
  private readonly workers = new Map<QueueName, Worker[]>();

  constructor(@Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig) {
    this.connection = createRedisConnection(config.redisUrl, config.redisCluster);
  }

  /** The shards of a queue this collector reads: 0..K-1 of the samples queue, shard 0 of the others. */
  shardsOf(name: QueueName): number[] {
    return Array.from({ length: SHARDED.has(name) ? this.config.queueShards : 1 }, (_, i) => i);
  }

  private queue(name: QueueName, shard = 0): Queue {
    const prefix = shardPrefix(this.config.queuePrefix, shard);
    let queue = this.queues.get(`${prefix}\n${name}`);
    if (queue === undefined) {
      queue = new Queue(name, { connection: this.connection, prefix });
      queue.on('error', () => undefined);
      this.queues.set(`${prefix}\n${name}`, queue);
    }
    return queue;
  }

  /**
   * Starts consuming a queue. A handler that throws RequeueError puts the message back to wait, one
   * that throws RetryLaterError delays it; any other error delays it too and is logged: no message
   * ever lands in BullMQ's failed set, where nothing would look at it again.
   */
  startWorker(name: QueueName, handler: MessageHandler, concurrency: number): void {
    if (this.workers.has(name)) throw new Error(`a worker already consumes ${name}`);
    const shards = this.shardsOf(name);
    // `concurrency` is the collector's total: each shard's worker takes its part, so K shards hold no
    // more batches at once (and in group commits) than one queue did
    const perShard = Math.max(1, Math.ceil(concurrency / shards.length));
    this.workers.set(
      name,
      shards.map((shard) => this.startShardWorker(name, shard, handler, perShard)),
    );
  }

  private startShardWorker(name: QueueName, shard: number, handler: MessageHandler, concurrency: number): Worker {
    const label = shard === 0 ? name : `${name} (shard ${shard})`;
    const worker = new TextKeepingWorker(
      name,
      async (job: Job, token?: string) => {
        const withText = job as JobWithText;
        const message: QueuedMessage = {
          data: job.data,
          jobId: job.id,
          text: withText.dataText,
          unparseable: withText.unparseable,
          stalls: job.stalledCounter ?? 0,
          queuedAt: job.timestamp,
          release: () => {
            // BullMQ reads a job's data only to add it; completing, delaying or requeueing uses its id and options
            job.data = undefined;
            message.data = undefined;
          },
        };
        try {
          await handler(message);
        } catch (error) {
          if (error instanceof RequeueError) {
            await job.moveToWait(token);
            throw new WaitingError();
          }
          if (!(error instanceof RetryLaterError))
            this.logger.error(`message ${job.id ?? '?'} on ${label}: ${(error as Error).stack ?? String(error)}`);
          await job.moveToDelayed(Date.now() + (error instanceof RetryLaterError ? error.delayMs : UNEXPECTED_ERROR_DELAY_MS), token);
          throw new DelayedError();
        }
      },
      {
        connection: this.connection,
        prefix: shardPrefix(this.config.queuePrefix, shard),
        concurrency,
        maxStalledCount: this.config.maxStalls + BULLMQ_STALL_MARGIN,
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 10_000 },
      },
    );
    worker.on('error', (error) => this.logger.warn(`worker ${label}: ${error.message}`));
    worker.on('failed', (job, error) => this.logger.warn(`job ${job?.id ?? '?'} on ${label} failed: ${error.message}`));
    return worker;
  }

  /** Stops taking new messages from a queue (every shard); those being handled carry on. */
  pauseWorker(name: QueueName): void {
    for (const worker of this.workers.get(name) ?? []) void worker.pause(true);
  }

  resumeWorker(name: QueueName): void {
    for (const worker of this.workers.get(name) ?? []) worker.resume();
  }

  /** Stops the workers, waiting for the messages being handled. */
  async closeWorkers(): Promise<void> {
    await Promise.all([...this.workers.values()].flat().map((w) => w.close()));
    this.workers.clear();
  }

  /** Messages in BullMQ's failed set of a queue, over every shard: zero, by design (see startWorker). */
  async failedCount(name: QueueName): Promise<number> {
    const counts = await Promise.all(this.shardsOf(name).map((shard) => this.queue(name, shard).getJobCounts('failed')));
    return counts.reduce((n, c) => n + (c.failed ?? 0), 0);
  }

  async addDeadLetter(letter: DeadLetterMessage): Promise<void> {
    await this.queue(QueueName.DeadLetters).add(MessageName.DeadLetter, letter, {
      // one dead letter per original message, however often it was delivered
      jobId: letter.jobId === null ? undefined : `dl.${letter.queue}.${letter.jobId}`,
      removeOnComplete: true,
    });
  }

  /** Messages of a queue in each of the given BullMQ states, every shard this collector reads added up. */
  async counts<S extends JobType>(name: QueueName, states: readonly S[]): Promise<Partial<Record<S, number>>> {
    const perShard = await Promise.all(this.shardsOf(name).map((shard) => this.queue(name, shard).getJobCounts(...states)));
    const total: Partial<Record<S, number>> = {};
    for (const counts of perShard) for (const state of states) total[state] = (total[state] ?? 0) + (counts[state] ?? 0);
    return total;
  }

  /** Messages still to be handled (PENDING_STATES) on a queue, over every shard this collector reads. */
  async depth(name: QueueName): Promise<number> {
    return (await this.shardDepths(name)).reduce((n, d) => n + d, 0);
  }

  /** Messages still to be handled (PENDING_STATES) on each shard of a queue, by shard number. */
  async shardDepths(name: QueueName): Promise<number[]> {
    return Promise.all(
      this.shardsOf(name).map(async (shard) => {
        const counts = await this.queue(name, shard).getJobCounts(...PENDING_STATES);
        return PENDING_STATES.reduce((n, state) => n + (counts[state] ?? 0), 0);
      }),
    );
  }

  /**
   * Shards of the samples queue past this collector's K that hold messages still to be handled:
   * batches of agents configured with a larger K, which no collector of this K reads (they wait in
   * Redis until one does). A shard is looked at only if BullMQ ever made it (its meta key exists).
   */
  async strandedShards(): Promise<Array<{ shard: number; pending: number }>> {
    const found: Array<{ shard: number; pending: number }> = [];
    const name = QueueName.Samples;
    const beyond = Array.from({ length: MAX_QUEUE_SHARDS - this.config.queueShards }, (_, i) => this.config.queueShards + i);
    for (let from = 0; from < beyond.length; from += 64) {
      const chunk = beyond.slice(from, from + 64);
      const made = await Promise.all(
        chunk.map((shard) => this.connection.exists(`${shardPrefix(this.config.queuePrefix, shard)}:${name}:meta`)),
      );
      for (const [i, shard] of chunk.entries()) {
        if (made[i] === 0) continue;
        const key = `${shardPrefix(this.config.queuePrefix, shard)}:${name}`;
        // the keys BullMQ keeps each state in (one slot: the shard's hash tag)
        const [wait, active, prioritized, delayed] = await Promise.all([
          this.connection.llen(`${key}:wait`),
          this.connection.llen(`${key}:active`),
          this.connection.zcard(`${key}:prioritized`),
          this.connection.zcard(`${key}:delayed`),
        ]);
        const pending = wait + active + prioritized + delayed;
        if (pending > 0) found.push({ shard, pending });
      }
    }
    return found;
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
