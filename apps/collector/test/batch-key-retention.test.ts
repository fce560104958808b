/**
 * Batch-key retention (WATTPRINT_BATCH_KEY_RETENTION_DAYS) on both databases: ingested_batches rows
 * of old batches are deleted, and exactly-once still holds because a batch older than the keys kept
 * is refused with a letter that says why, instead of being counted a second time.
 */
import type { INestApplication } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import { DIALECTS, createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import { batchKey, type Batch, type Sample } from '@wattprint/protocol';
import request from 'supertest';
import { ClockRepository } from '../src/clock/clock.repository';
import { RollupService } from '../src/rollups/rollup.service';
import { signedBatch, testAgent } from './support/batches';
import {
  TestProducer,
  collectorEnv,
  freshQueuePrefix,
  metricValue,
  openDatabase,
  registerAgents,
  startCollector,
} from './support/collector-harness';
import { BOOTSTRAP_TOKEN, bearer } from './reports-harness';
import { waitFor } from './support/wait-for';

jest.setTimeout(90_000);

const DAY = 86_400_000;
const RETENTION_DAYS = 2;

describe.each(DIALECTS)('batch-key retention on %s', (dialect) => {
  let testDb: TestDatabase;
  let app: INestApplication;
  let producer: TestProducer;
  let db: DatabaseHandle;
  const agent = testAgent('keep');
  let seq = 0;
  const realNow = Date.now();
  let clockNow = realNow;

  /** A batch of two GPUs over `ms` from `t0`, with energies off the whole joule. */
  const batchAt = (t0: number, ms = 4_321): Batch => {
    const samples: Sample[] = [0, 1].map((g) => ({
      seq: seq + g,
      t0,
      t1: t0 + ms,
      device: `gpu${g}`,
      kind: 'gpu',
      jobId: 'job-keep',
      energyJ: 123.456 + g * 7.25,
      powerW: null,
      utilization: null,
      source: 'nvml',
    }));
    const batch = signedBatch(agent, { firstSeq: seq, sentAt: t0 + ms, samples });
    seq += samples.length;
    return batch;
  };
  const keys = async () => (await db.db.selectFrom('ingested_batches').select('batch_key').execute()).map((r) => r.batch_key).sort();
  const bucketJoules = async () =>
    Number(
      (
        await db.db
          .selectFrom('energy_buckets')
          .select((eb) => eb.fn.sum<number>('joules').as('j'))
          .executeTakeFirstOrThrow()
      ).j ?? 0,
    );
  const letters = () => db.db.selectFrom('dead_letters').selectAll().where('reason', '=', 'out-of-bounds').orderBy('id').execute();
  const metrics = async () => (await request(app.getHttpServer()).get('/metrics').set(bearer(BOOTSTRAP_TOKEN)).expect(200)).text;

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    producer = new TestProducer(freshQueuePrefix());
    app = await startCollector(
      collectorEnv(testDb.url, producer.prefix, {
        WATTPRINT_ROLE: 'all',
        WATTPRINT_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
        WATTPRINT_MAINTENANCE_EVERY_MS: '0',
        WATTPRINT_BATCH_KEY_RETENTION_DAYS: String(RETENTION_DAYS),
      }),
    );
    // the collector's one clock: the test moves it to deliver batches "in the past"
    app.get(ClockRepository).now = () => clockNow;
    await registerAgents(testDb.url, [agent]);
    db = openDatabase(testDb.url);
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await producer?.dispose();
    await testDb?.drop();
  });

  it('deletes the keys of old batches, refuses those batches when they come again, and keeps the rest exactly once', async () => {
    // delivered five days ago, when they were fresh
    clockNow = realNow - 5 * DAY;
    const old = [batchAt(clockNow - 3_600_000 + 17), batchAt(clockNow - 1_800_000 + 431)];
    for (const b of old) await producer.addBatch(b);
    await waitFor('the old batches', async () => (await keys()).length === 2);

    // delivered now: one an hour old, one just inside retention
    clockNow = realNow;
    const recent = [batchAt(realNow - 3_600_000 + 93), batchAt(realNow - RETENTION_DAYS * DAY + 60_000 + 7)];
    for (const b of recent) await producer.addBatch(b);
    await waitFor('the recent batches', async () => (await keys()).length === 4);
    const joules = await bucketJoules();

    const report = await app.get(RollupService).maintain(realNow);
    expect(report.batchKeysDeleted).toBe(2);
    expect(await keys()).toEqual(recent.map(batchKey).sort());
    expect(metricValue(await metrics(), 'wattprint_retention_deleted_rows_total{table="ingested_batches"}')).toBe(2);
    expect(metricValue(await metrics(), 'wattprint_retention_days{table="ingested_batches"}')).toBe(RETENTION_DAYS);
    // a second pass finds nothing more: the just-inside batch's key stays a day past its retention
    expect((await app.get(RollupService).maintain(realNow + DAY - 60_000)).batchKeysDeleted).toBe(0);

    // the old batches again (a spool replayed late): refused, named, not counted twice
    for (const b of old) await producer.addBatch(b, 1);
    const refused = await waitFor('two letters', async () => {
      const found = await letters();
      return found.length >= 2 ? found : undefined;
    });
    for (const letter of refused)
      expect(letter.detail).toMatch(/samples\.0\.t0: got \d+ \(.*\); expected no earlier than .*WATTPRINT_BATCH_KEY_RETENTION_DAYS/);
    // the recent ones again: duplicates, as before
    for (const b of recent) await producer.addBatch(b, 1);
    await waitFor('two duplicates', async () => metricValue(await metrics(), 'wattprint_ingest_batches_total{result="duplicate"}') === 2);
    expect(await bucketJoules()).toBeCloseTo(joules, 9);
    expect(await keys()).toEqual(recent.map(batchKey).sort());
  });
});
