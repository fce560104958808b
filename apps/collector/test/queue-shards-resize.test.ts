import type { INestApplication } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import { createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import { MessageName, QueueName, agentShard, batchJobId, shardPrefix, type Batch } from '@wattprint/protocol';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import request from 'supertest';
import { T0, realisticBatch, testAgent, type TestAgent } from './support/batches';
import {
  REDIS_URL,
  collectorEnv,
  freshQueuePrefix,
  metricValue,
  openDatabase,
  registerAgents,
  startCollector,
} from './support/collector-harness';
import { waitFor } from './support/wait-for';

jest.setTimeout(60_000);

/** Joules of one realisticBatch: 5 s of GPUs drawing 100, 110, … 170 W. */
const BATCH_JOULES = 5 * [0, 1, 2, 3, 4, 5, 6, 7].reduce((sum, g) => sum + 100 + 10 * g, 0);

/** The first of `agent-0`, `agent-1`, … whose shard among `shards` is `shard`. */
function agentOnShard(shard: number, shards: number): TestAgent {
  for (let i = 0; ; i++) if (agentShard(`agent-${i}`, shards) === shard) return testAgent(`agent-${i}`);
}

/**
 * The upgrade path of docs/deploy.md ("Queue shards"): K changes while batches are in flight. The
 * collectors consume shards 0..max(K_old, K_new) - 1 during the change, so batches left on shards an
 * agent no longer writes to are ingested, and a batch sent again on its new shard (a spool replayed
 * after the restart) is counted once, by the batch-key dedupe.
 */
describe('changing WATTPRINT_QUEUE_SHARDS with batches in flight (real Redis, SQLite)', () => {
  const prefix = freshQueuePrefix();
  const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const shardQueues = Array.from(
    { length: 4 },
    (_, shard) => new Queue(QueueName.Samples, { connection, prefix: shardPrefix(prefix, shard) }),
  );
  // grows from 1 to 4: this agent moves off shard 0
  const mover = agentOnShard(3, 4);
  // shrinks from 4 to 2: this one sat on shard 2, which goes away
  const leftBehind = agentOnShard(2, 4);
  let testDb: TestDatabase;
  let db: DatabaseHandle;
  let app: INestApplication;
  const metrics = async () => (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
  const add = (shard: number, batch: Batch, jobId = batchJobId(batch)) => shardQueues[shard].add(MessageName.Batch, batch, { jobId });
  const ingested = async () =>
    Number(
      (
        await db.db
          .selectFrom('ingested_batches')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    testDb = await createTestDatabase('sqlite');
    // an api-only collector migrates the database and consumes nothing: the batches below wait, in flight
    const migrator = await startCollector(collectorEnv(testDb.url, prefix, { WATTPRINT_ROLE: 'api' }));
    await migrator.close();
    await registerAgents(testDb.url, [mover, leftBehind]);
    db = openDatabase(testDb.url);
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await Promise.all(shardQueues.map((q) => q.obliterate({ force: true }).catch(() => undefined)));
    await Promise.all(shardQueues.map((q) => q.close()));
    connection.disconnect();
    await testDb?.drop();
  });

  it('K 1 → 4: batches left on shard 0 and those on the new shard are all ingested, a batch sent on both counted once', async () => {
    expect(agentShard(mover.id, 1)).toBe(0);
    const batches = [0, 40, 80, 120, 160, 200].map((firstSeq, i) => realisticBatch(mover, { firstSeq, startMs: T0 + i * 5000 }));
    // in flight when the agents restarted with K = 4: on shard 0, the one queue of K = 1
    for (const b of batches.slice(0, 3)) await add(0, b);
    // after the restart: on the agent's new shard, its spool replaying the last old batch first
    await add(3, batches[2], `${batchJobId(batches[2])}.replayed`);
    for (const b of batches.slice(3)) await add(3, b);
    // collectors at max(K_old, K_new) = 4
    app = await startCollector(collectorEnv(testDb.url, prefix, { WATTPRINT_QUEUE_SHARDS: '4' }));
    await waitFor('six batches and one duplicate', async () => {
      const text = await metrics();
      return (await ingested()) === 6 && metricValue(text, 'wattprint_ingest_batches_total{result="duplicate"}') === 1;
    });
    const { j } = await db.db
      .selectFrom('energy_buckets')
      .select((eb) => eb.fn.sum<number>('joules').as('j'))
      .executeTakeFirstOrThrow();
    expect(Number(j)).toBe(6 * BATCH_JOULES);
  });

  it('K 4 → 2: batches on shards 2 and 3 drain while collectors still read 4; the shard depths say when they may read 2', async () => {
    const before = await ingested();
    const batches = [0, 40, 80].map((firstSeq, i) => realisticBatch(leftBehind, { firstSeq, startMs: T0 + i * 5000 }));
    for (const b of batches) await add(2, b);
    await waitFor('the batches left on shard 2', async () => (await ingested()) === before + 3);
    await waitFor('every shard depth at 0 in /metrics', async () => {
      const text = await metrics();
      return (
        [0, 1, 2, 3].every((s) => metricValue(text, `wattprint_queue_shard_depth{shard="${s}"}`) === 0) &&
        ['waiting', 'active', 'delayed'].every((state) => text.includes(`wattprint_queue_depth{queue="samples",state="${state}"} 0\n`))
      );
    });
    // the drain procedure's check, done: nothing waits on the shards that go away
    expect(await Promise.all([2, 3].map((s) => shardQueues[s].count()))).toEqual([0, 0]);
  });
});
