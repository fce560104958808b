import { randomBytes } from 'node:crypto';
import { QueueName, shardPrefix } from '@wattprint/protocol';
import { Worker } from 'bullmq';
import IORedis from 'ioredis';
import { QueueConsumers, strayConsumerWarnings } from './queue-consumers';

const REDIS_URL = process.env.WATTPRINT_TEST_REDIS ?? 'redis://127.0.0.1:6379';

describe('strayConsumerWarnings', () => {
  const own = { samples: 2, 'job-events': 2, 'dead-letters': 0 };

  it('says nothing while only its own collector consumes', () => {
    expect(strayConsumerWarnings('{qs}', own, { ...own })).toEqual([]);
    expect(strayConsumerWarnings('{qs}', own, { samples: 1, 'job-events': 0, 'dead-letters': 0 })).toEqual([]);
  });

  it('names the queue and how many consumers are not its own', () => {
    expect(strayConsumerWarnings('{qs}', own, { samples: 3, 'job-events': 4, 'dead-letters': 0 })).toEqual([
      "warning: 1 consumer connection on queue {qs}:samples that is not this quick start's collector; its batches may go elsewhere",
      "warning: 2 consumer connections on queue {qs}:job-events that are not this quick start's collector; its batches may go elsewhere",
    ]);
  });
});

describe('QueueConsumers', () => {
  it('counts the BullMQ workers on each queue of a prefix, and only that prefix', async () => {
    const prefix = `{wp-qs-test-${randomBytes(4).toString('hex')}}`;
    const consumers = new QueueConsumers(REDIS_URL, prefix);
    const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    const elsewhere = new Worker(QueueName.Samples, async () => undefined, { connection, prefix: `${prefix}x` });
    let worker: Worker | undefined;
    try {
      expect(await consumers.count()).toEqual({ samples: 0, 'job-events': 0, 'dead-letters': 0 });
      worker = new Worker(QueueName.Samples, async () => undefined, { connection, prefix });
      await worker.waitUntilReady();
      await elsewhere.waitUntilReady();
      const counts = await consumers.count();
      expect(counts.samples).toBeGreaterThan(0);
      expect(counts['job-events']).toBe(0);
    } finally {
      await worker?.close();
      await elsewhere.close();
      await consumers.close();
      connection.disconnect();
    }
  });

  it('counts the samples workers of every queue shard', async () => {
    const prefix = `{wp-qs-test-${randomBytes(4).toString('hex')}}`;
    const consumers = new QueueConsumers(REDIS_URL, prefix, 3);
    const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    const onShard2 = new Worker(QueueName.Samples, async () => undefined, { connection, prefix: shardPrefix(prefix, 2) });
    const onShard3 = new Worker(QueueName.Samples, async () => undefined, { connection, prefix: shardPrefix(prefix, 3) });
    try {
      await Promise.all([onShard2.waitUntilReady(), onShard3.waitUntilReady()]);
      await new Promise((r) => setTimeout(r, 200)); // the blocking connection names itself a moment after ready
      const counts = await consumers.count();
      // shard 2 is one of the three; shard 3 is past them, and no worker is on shard 0
      expect(counts.samples).toBeGreaterThan(0);
      const unsharded = new QueueConsumers(REDIS_URL, prefix, 1);
      expect((await unsharded.count()).samples).toBe(0);
      await unsharded.close();
    } finally {
      await onShard2.close();
      await onShard3.close();
      await consumers.close();
      connection.disconnect();
    }
  });
});
