import { MessageName, QueueName, shardPrefix } from '@wattprint/protocol';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { parseCollectorConfig } from '../src/config/collector-config';
import { type QueuedMessage, QueueRepository } from '../src/queue/queue.repository';
import { REDIS_URL, collectorEnv, freshQueuePrefix } from './support/collector-harness';
import { waitFor } from './support/wait-for';

const SHARDS = 3;

describe('QueueRepository over queue shards (real Redis)', () => {
  const prefix = freshQueuePrefix();
  const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const queueOf = (name: QueueName, shard: number) => new Queue(name, { connection, prefix: shardPrefix(prefix, shard) });
  const samples = Array.from({ length: SHARDS + 1 }, (_, shard) => queueOf(QueueName.Samples, shard));
  const eventsOnShard1 = queueOf(QueueName.JobEvents, 1);
  const events = queueOf(QueueName.JobEvents, 0);
  const deadLetters = queueOf(QueueName.DeadLetters, 0);
  const queues = new QueueRepository(
    parseCollectorConfig(collectorEnv('sqlite::memory:', prefix, { WATTPRINT_QUEUE_SHARDS: String(SHARDS) })),
  );
  const seen: QueuedMessage[] = [];
  const seenEvents: QueuedMessage[] = [];

  afterAll(async () => {
    await queues.onApplicationShutdown();
    const all = [...samples, events, eventsOnShard1, deadLetters];
    await Promise.all(all.map((q) => q.waitUntilReady()));
    await Promise.all(all.map((q) => q.obliterate({ force: true }).catch(() => undefined)));
    await Promise.all(all.map((q) => q.close()));
    connection.disconnect();
  });

  it('counts the depth of every shard, and their sum, before any worker runs', async () => {
    for (let shard = 0; shard < SHARDS; shard++)
      for (let i = 0; i <= shard; i++) await samples[shard].add(MessageName.Batch, { shard, i }, { jobId: `s${shard}.${i}` });
    // a shard past K is not this collector's: not counted, not consumed
    await samples[SHARDS].add(MessageName.Batch, { shard: SHARDS }, { jobId: 'beyond' });
    expect(await queues.shardDepths(QueueName.Samples)).toEqual([1, 2, 3]);
    expect(await queues.depth(QueueName.Samples)).toBe(6);
    expect(queues.shardsOf(QueueName.Samples)).toEqual([0, 1, 2]);
    expect(queues.shardsOf(QueueName.JobEvents)).toEqual([0]);
  });

  it('finds the shards past K that hold batches (stranded: no collector of this K reads them)', async () => {
    expect(await queues.strandedShards()).toEqual([{ shard: SHARDS, pending: 1 }]);
  });

  it('consumes every shard of the samples queue, and job events from shard 0 only', async () => {
    queues.startWorker(QueueName.Samples, async (m) => void seen.push(m), 4);
    queues.startWorker(QueueName.JobEvents, async (m) => void seenEvents.push(m), 1);
    await events.add(MessageName.JobEvent, { e: 0 }, { jobId: 'e0' });
    await eventsOnShard1.add(MessageName.JobEvent, { e: 1 }, { jobId: 'e1' });
    await waitFor('all six batches', async () => seen.length === 6, 20_000);
    expect(seen.map((m) => m.jobId).sort()).toEqual(['s0.0', 's1.0', 's1.1', 's2.0', 's2.1', 's2.2']);
    await waitFor('the shard-0 job event', async () => seenEvents.length === 1, 20_000);
    expect(seenEvents[0].jobId).toBe('e0');
    await waitFor('depth back to 0', async () => (await queues.depth(QueueName.Samples)) === 0, 10_000);
    expect(await samples[SHARDS].getWaitingCount()).toBe(1);
    expect(await queues.strandedShards()).toEqual([{ shard: SHARDS, pending: 1 }]);
    expect(await eventsOnShard1.getWaitingCount()).toBe(1);
    expect(await queues.failedCount(QueueName.Samples)).toBe(0);
  }, 40_000);

  it('puts dead letters on shard 0, whatever shard the message came from', async () => {
    await queues.addDeadLetter({
      queue: QueueName.Samples,
      jobId: 's2.1',
      reason: 'forged',
      detail: 'test',
      payload: {},
      receivedAt: new Date().toISOString(),
    });
    const letters = await deadLetters.getJobs(['waiting', 'completed']);
    expect(letters.map((j) => j.id)).toContain(`dl.${QueueName.Samples}.s2.1`);
  });
});
