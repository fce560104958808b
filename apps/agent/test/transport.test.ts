import { Queue } from 'bullmq';
import {
  Batch,
  MessageName,
  QUEUE_PREFIX,
  QueueName,
  batchJobId,
  parseWith,
  signed,
  verify,
  type UnsignedBatch,
} from '@wattprint/protocol';
import { silentLogger } from '../src/logger';
import { DiskSpool } from '../src/spool/disk-spool';
import { BullMqSink } from '../src/transport/bullmq-sink';
import { Outbox } from '../src/transport/outbox';
import type { OutboundMessage } from '../src/transport/outbound-message';
import { tempDir } from './helpers/paths';
import { TestRedis } from './helpers/redis-server';

jest.setTimeout(20_000);

const KEY = 'transport-test-key-0123456789';
const BOOT = '3f0c9a52-7d1e-4b8a-9c2f-6e5d4c3b2a10';

function batchMessage(n: number): OutboundMessage {
  const unsigned: UnsignedBatch = {
    version: 1,
    agentId: 'node-a',
    bootId: BOOT,
    firstSeq: n * 2,
    node: 'node-a.cluster',
    sentAt: 1_764_000_000_000 + n * 5000,
    samples: [0, 1].map((k) => ({
      seq: n * 2 + k,
      t0: 1_764_000_000_000 + n * 5000,
      t1: 1_764_000_005_000 + n * 5000,
      device: `gpu${k}`,
      kind: 'gpu' as const,
      jobId: k ? null : '1234',
      energyJ: 1500 + n,
      powerW: 300,
      utilization: 90,
      source: 'nvidia-smi' as const,
    })),
  };
  const batch = signed(unsigned, KEY);
  return { queue: QueueName.Samples, name: MessageName.Batch, jobId: batchJobId(batch), data: batch };
}

async function queued(redis: TestRedis, prefix = QUEUE_PREFIX): Promise<Batch[]> {
  const connection = redis.client();
  const queue = new Queue(QueueName.Samples, { connection, prefix });
  const jobs = await queue.getJobs(['wait'], 0, -1, true);
  await queue.close();
  connection.disconnect();
  return jobs.map((j) => {
    expect(j.name).toBe(MessageName.Batch);
    const parsed = parseWith(Batch, j.data);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(verify(parsed.value, KEY)).toBe(true);
    expect(j.id).toBe(batchJobId(parsed.value));
    return parsed.value;
  });
}

const waitFor = async (check: () => boolean | Promise<boolean>, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('transport: BullMQ while Redis is up, the disk spool while it is down', () => {
  let redis: TestRedis;
  let sink: BullMqSink | null = null;
  let spool: DiskSpool | null = null;

  beforeEach(async () => {
    redis = await TestRedis.create();
  });
  afterEach(async () => {
    await sink?.close();
    await spool?.close();
    await redis.stop();
  });

  it('loses nothing and keeps the order through a Redis outage', async () => {
    sink = new BullMqSink(redis.url, silentLogger, { addTimeoutMs: 1000 });
    spool = await DiskSpool.open(tempDir('spool'), 1024 * 1024, silentLogger);
    const outbox = new Outbox(sink, spool, silentLogger);
    await waitFor(() => sink!.ready);
    for (let n = 0; n < 5; n++) await outbox.send(batchMessage(n));
    expect(outbox.sent).toBe(5);

    await redis.stop();
    await waitFor(() => !sink!.ready);
    const t = Date.now();
    for (let n = 5; n < 15; n++) await outbox.send(batchMessage(n));
    expect(Date.now() - t).toBeLessThan(1000); // fails fast: no waiting on a dead Redis
    expect([outbox.spooled, spool.records]).toEqual([10, 10]);
    await outbox.drain(); // nothing to do while Redis is away
    expect(spool.records).toBe(10);

    await redis.start(); // an empty Redis: what was added before the outage is gone with it
    await waitFor(() => sink!.ready);
    await outbox.send(batchMessage(15)); // behind the spool, not before it
    await outbox.drain();
    expect(spool.records).toBe(0);
    const batches = await queued(redis);
    expect(batches.map((b) => b.firstSeq / 2)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  });

  it('honours the spool bound during a long outage: the oldest are dropped and counted, the rest replayed', async () => {
    sink = new BullMqSink(redis.url, silentLogger, { addTimeoutMs: 1000 });
    await waitFor(() => sink!.ready);
    await redis.stop();
    await waitFor(() => !sink!.ready);
    const max = 8 * 1024;
    spool = await DiskSpool.open(tempDir('spool'), max, silentLogger);
    const outbox = new Outbox(sink, spool, silentLogger);
    for (let n = 0; n < 60; n++) {
      await outbox.send(batchMessage(n));
      expect(await spool.diskBytes()).toBeLessThanOrEqual(max);
    }
    const { droppedRecords, records } = spool.getStats();
    expect(droppedRecords + records).toBe(60);
    expect(droppedRecords).toBeGreaterThan(0);
    await redis.start();
    await waitFor(() => sink!.ready);
    await outbox.drain();
    const batches = await queued(redis);
    expect(batches.map((b) => b.firstSeq / 2)).toEqual(Array.from({ length: records }, (_, i) => 60 - records + i));
  });

  it('a batch replayed twice is one BullMQ job (its id is agent, boot and first seq)', async () => {
    sink = new BullMqSink(redis.url, silentLogger, { addTimeoutMs: 1000 });
    await waitFor(() => sink!.ready);
    await sink.add(batchMessage(1));
    await sink.add(batchMessage(1));
    expect((await queued(redis)).length).toBe(1);
  });

  it('publishes under the configured queue prefix, where only collectors of that prefix look', async () => {
    sink = new BullMqSink(redis.url, silentLogger, { prefix: '{staging}', addTimeoutMs: 1000 });
    await waitFor(() => sink!.ready);
    await sink.add(batchMessage(3));
    expect((await queued(redis, '{staging}')).map((b) => b.firstSeq)).toEqual([6]);
    expect(await queued(redis)).toEqual([]);
  });

  it("sends batches to its queue shard and job events to shard 0's job-events queue", async () => {
    sink = new BullMqSink(redis.url, silentLogger, { prefix: '{sharded}', shard: 3, addTimeoutMs: 1000 });
    await waitFor(() => sink!.ready);
    await sink.add(batchMessage(4));
    await sink.add({ queue: QueueName.JobEvents, name: MessageName.JobEvent, jobId: 'e.shard-test', data: { eventId: 'shard-test' } });
    expect((await queued(redis, '{sharded-3}')).map((b) => b.firstSeq)).toEqual([8]);
    expect(await queued(redis, '{sharded}')).toEqual([]);
    const connection = redis.client();
    const events = new Queue(QueueName.JobEvents, { connection, prefix: '{sharded}' });
    const elsewhere = new Queue(QueueName.JobEvents, { connection, prefix: '{sharded-3}' });
    expect([await events.getWaitingCount(), await elsewhere.getWaitingCount()]).toEqual([1, 0]);
    await Promise.all([events.close(), elsewhere.close()]);
    connection.disconnect();
  });
});
