import { QueueName, shardPrefix } from '@wattprint/protocol';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';

/** Consumers (BullMQ workers) connected to each of the quick start's queues. */
export type ConsumerCounts = Record<QueueName, number>;

/**
 * What to say about the consumers on the quick start's queues, given how many its own collector
 * accounts for: any more is another process taking its batches (a collector started by hand with the
 * same prefix), which would book them elsewhere or dead-letter them as unknown agents.
 */
export function strayConsumerWarnings(prefix: string, own: ConsumerCounts, now: ConsumerCounts): string[] {
  const warnings: string[] = [];
  for (const queue of Object.values(QueueName)) {
    const extra = now[queue] - own[queue];
    if (extra > 0)
      warnings.push(
        `warning: ${extra} consumer connection${extra === 1 ? '' : 's'} on queue ${prefix}:${queue} that ${extra === 1 ? 'is' : 'are'} not this quick start's collector; its batches may go elsewhere`,
      );
  }
  return warnings;
}

/**
 * Counts the BullMQ workers connected to the quick start's queues (Redis CLIENT LIST, as BullMQ names
 * them); the samples queue's over its `shards` shards (WATTPRINT_QUEUE_SHARDS), added up.
 */
export class QueueConsumers {
  private readonly connection: IORedis;
  private readonly queues: Array<[QueueName, Queue]>;

  constructor(
    redisUrl: string,
    readonly prefix: string,
    readonly shards = 1,
  ) {
    this.connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
    this.connection.on('error', () => undefined); // a lasting outage shows in the agents' and the collector's logs
    this.queues = Object.values(QueueName).flatMap((name) =>
      Array.from({ length: name === QueueName.Samples ? shards : 1 }, (_, shard): [QueueName, Queue] => [
        name,
        new Queue(name, { connection: this.connection, prefix: shardPrefix(prefix, shard) }),
      ]),
    );
  }

  async count(): Promise<ConsumerCounts> {
    const counts = Object.fromEntries(Object.values(QueueName).map((name) => [name, 0])) as ConsumerCounts;
    for (const [name, queue] of this.queues) counts[name] += (await queue.getWorkers()).length;
    return counts;
  }

  async close(): Promise<void> {
    for (const [, queue] of this.queues) await queue.close();
    this.connection.disconnect();
  }
}
