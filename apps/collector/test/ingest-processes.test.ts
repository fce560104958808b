import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DatabaseHandle } from '@wattprint/db';
import { DIALECTS, createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import { MessageName, batchJobId } from '@wattprint/protocol';
import { freePort } from '@wattprint/sim';
import { T0, realisticBatch, testAgent } from './support/batches';
import {
  TestProducer,
  collectOutput,
  collectorEnv,
  freshQueuePrefix,
  metricValue,
  openDatabase,
  registerAgents,
  spawnCollector,
} from './support/collector-harness';
import { waitFor } from './support/wait-for';

jest.setTimeout(90_000);

const BATCH_JOULES = 5 * [0, 1, 2, 3, 4, 5, 6, 7].reduce((sum, g) => sum + 100 + 10 * g, 0);

describe('wattprint-collector command', () => {
  it('exits 2 on bad configuration, printing only the ConfigError lines', async () => {
    const child = spawnCollector({
      PORT: 'eighty',
      WATTPRINT_ROLE: 'both',
      REDIS_URL: 'http://localhost',
      WATTPRINT_QUEUE_PREFIX: 'wattprint:prod',
    });
    const out = collectOutput(child);
    expect(await out.exited).toBe(2);
    expect(out.stdout()).toBe('');
    expect(out.stderr()).toBe(
      [
        'invalid configuration:',
        '  PORT="eighty": expected an integer from 0 to 65535',
        '  REDIS_URL="http://localhost": expected a URL starting with redis:// or rediss://',
        '  WATTPRINT_ROLE="both": expected one of api, worker, all',
        '  WATTPRINT_QUEUE_PREFIX="wattprint:prod": expected a prefix without spaces or ":", e.g. {wattprint}',
        '',
      ].join('\n'),
    );
  });

  it('says its version (from package.json) and refuses an unknown command with exit 2', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    const shown = collectOutput(spawnCollector({}, ['--version']));
    expect(await shown.exited).toBe(0);
    expect(shown.stdout()).toBe(`${version}\n`);
    const wrong = collectOutput(spawnCollector({}, ['migrat']));
    expect(await wrong.exited).toBe(2);
    expect(wrong.stderr()).toContain("unknown command 'migrat'");
    expect(wrong.stdout()).toBe('');
  });

  it.each(DIALECTS)('migrate runs the migrations on %s and exits, then finds nothing to do', async (dialect) => {
    const testDb = await createTestDatabase(dialect);
    try {
      for (const expected of ['applied 0001_initial', 'database already up to date']) {
        const out = collectOutput(spawnCollector({ DATABASE_URL: testDb.url }, ['migrate']));
        expect(await out.exited).toBe(0);
        expect(out.stdout()).toContain(expected);
      }
    } finally {
      await testDb.drop();
    }
  });
});

describe.each(DIALECTS)('two collector processes on one queue, %s', (dialect) => {
  let testDb: TestDatabase;
  let producer: TestProducer;
  let db: DatabaseHandle;

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    producer = new TestProducer(freshQueuePrefix());
  });
  afterAll(async () => {
    await db?.close();
    await producer?.dispose();
    await testDb?.drop();
  });

  it('ingest every batch exactly once between them, and stop gracefully on SIGTERM', async () => {
    const first = await freePort();
    let second = await freePort();
    // the kernel may hand the same free port out twice in a row: two collectors on one port, one dies
    while (second === first) second = await freePort();
    const ports = [first, second];
    const children = ports.map((port) =>
      spawnCollector(collectorEnv(testDb.url, producer.prefix, { PORT: String(port), WATTPRINT_WORKER_CONCURRENCY: '8' })),
    );
    const outputs = children.map(collectOutput);
    try {
      await Promise.all(
        outputs.map((out, i) =>
          waitFor(`collector ${i} to start`, async () => out.stdout().includes('Nest application successfully started'), 60_000).catch(
            (error: Error) => {
              // what the child said is what tells a slow start from a failed one
              throw new Error(`${error.message}\nits stderr:\n${out.stderr().slice(-2000)}\nits stdout:\n${out.stdout().slice(-2000)}`);
            },
          ),
        ),
      );
      db = openDatabase(testDb.url);
      const agents = ['p1', 'p2', 'p3', 'p4'].map(testAgent);
      await registerAgents(testDb.url, agents);

      const batches = agents.flatMap((agent) =>
        Array.from({ length: 30 }, (_, i) =>
          realisticBatch(agent, { firstSeq: i * 40, startMs: T0 + i * 5000, jobs: [`job-${agent.id}`] }),
        ),
      );
      // every fifth batch delivered twice, under another BullMQ id, as a replayed spool would
      const redelivered = batches.filter((_, i) => i % 5 === 0);
      await producer.samples.addBulk([
        ...batches.map((b) => ({ name: MessageName.Batch, data: b, opts: { jobId: batchJobId(b) } })),
        ...redelivered.map((b) => ({ name: MessageName.Batch, data: b, opts: { jobId: `${batchJobId(b)}.again` } })),
      ]);

      const scrape = async () => Promise.all(ports.map(async (port) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text()));
      const texts = await waitFor(
        'both processes to handle every message',
        async () => {
          const t = await scrape();
          const handled = t.reduce(
            (n, x) =>
              n +
              metricValue(x, 'wattprint_ingest_batches_total{result="ingested"}') +
              metricValue(x, 'wattprint_ingest_batches_total{result="duplicate"}'),
            0,
          );
          return handled === batches.length + redelivered.length ? t : undefined;
        },
        60_000,
      );
      const ingested = texts.map((t) => metricValue(t, 'wattprint_ingest_batches_total{result="ingested"}'));
      expect(ingested[0] + ingested[1]).toBe(batches.length);
      expect(ingested.every((n) => n > 0)).toBe(true); // both consumed
      expect(texts.reduce((n, t) => n + metricValue(t, 'wattprint_ingest_batches_total{result="duplicate"}'), 0)).toBe(redelivered.length);

      const totals = await db.db
        .selectFrom('energy_buckets')
        .select((eb) => [eb.fn.sum<number>('joules').as('joules'), eb.fn.sum<number>('samples').as('samples')])
        .executeTakeFirstOrThrow();
      expect(Number(totals.joules)).toBe(batches.length * BATCH_JOULES);
      expect(Number(totals.samples)).toBe(batches.length * 40);
      const gaps = await db.db.selectFrom('seq_gaps').selectAll().execute();
      expect(gaps).toEqual([]);

      for (const port of ports) {
        expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
      }
    } finally {
      for (const child of children) child.kill('SIGTERM');
    }
    await Promise.all(outputs.map((o) => o.exited));
    for (const out of outputs) {
      // Nest runs the shutdown hooks, then re-raises the signal so the exit reads as SIGTERM.
      expect(out.stdout()).toContain('ingest workers stopped');
      expect(out.signal()).toBe('SIGTERM');
      expect(out.stderr()).toBe('');
      // What a log shipper reads: one JSON object a line, level as a word, ISO time, no colour.
      expect(out.stdout()).not.toContain('\x1b[');
      for (const line of out.stdout().trim().split('\n')) {
        expect(JSON.parse(line)).toMatchObject({ service: 'collector', level: expect.stringMatching(/^(info|warn)$/) });
      }
    }
  });
});
