import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { type DatabaseHandle, IDLE_JOB_ID } from '@wattprint/db';
import { DIALECTS, TEST_PG_URL, createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import { sign } from '@wattprint/protocol';
import { sql } from 'kysely';
import Database from 'better-sqlite3';
import request from 'supertest';
import { T0, realisticBatch, signedBatch, signedEvent, testAgent } from './support/batches';
import {
  TestProducer,
  collectorEnv,
  freshQueuePrefix,
  metricValue,
  openDatabase,
  registerAgents,
  startCollector,
} from './support/collector-harness';
import { TcpProxy } from './support/tcp-proxy';
import { waitFor } from './support/wait-for';

jest.setTimeout(60_000);

/** Joules of one realisticBatch: 5 s of GPUs drawing 100, 110, … 170 W. */
const BATCH_JOULES = 5 * [0, 1, 2, 3, 4, 5, 6, 7].reduce((sum, g) => sum + 100 + 10 * g, 0);

describe.each(DIALECTS)('ingest on %s', (dialect) => {
  let testDb: TestDatabase;
  let proxy: TcpProxy | undefined;
  let collectorUrl: string;
  let app: INestApplication;
  let producer: TestProducer;
  let db: DatabaseHandle;
  const alice = testAgent('alice');
  const bob = testAgent('bob');
  const carol = testAgent('carol');
  const dave = testAgent('dave');

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    collectorUrl = testDb.url;
    if (dialect === 'postgres') {
      // The collector reaches PostgreSQL through a proxy the outage test cuts.
      const target = new URL(TEST_PG_URL);
      proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
      await proxy.start();
      collectorUrl = testDb.url.replace(`${target.hostname}:${target.port || 5432}`, `127.0.0.1:${proxy.port}`);
    }
    producer = new TestProducer(freshQueuePrefix());
    app = await startCollector(collectorEnv(collectorUrl, producer.prefix, { WATTPRINT_SQLITE_BUSY_TIMEOUT_MS: '50' }));
    await registerAgents(testDb.url, [alice, bob, carol, dave]);
    db = openDatabase(testDb.url);
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await producer?.dispose();
    await proxy?.stop();
    await testDb?.drop();
  });

  const metrics = async () => (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
  const batchCount = async (agentId: string) =>
    Number(
      (
        await db.db
          .selectFrom('ingested_batches')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('agent_id', '=', agentId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const agentJoules = async (node: string) =>
    Number(
      (
        await db.db
          .selectFrom('energy_buckets')
          .select((eb) => eb.fn.sum<number>('joules').as('j'))
          .where('node', '=', node)
          .executeTakeFirstOrThrow()
      ).j ?? 0,
    );

  it('adds a batch to per-(job, node, device, minute) buckets, infers its jobs, and counts a redelivery once', async () => {
    const batch = realisticBatch(alice, { firstSeq: 0, startMs: T0 + 10_000, jobs: ['job-a', 'job-a', 'job-b'] });
    await producer.addBatch(batch);
    await waitFor('the batch', async () => (await batchCount(alice.id)) === 1);
    await producer.addBatch(batch, 1);
    await waitFor('the duplicate', async () => metricValue(await metrics(), 'wattprint_ingest_batches_total{result="duplicate"}') === 1);

    const buckets = await db.db.selectFrom('energy_buckets').selectAll().where('node', '=', alice.node).orderBy('device').execute();
    expect(buckets).toHaveLength(8);
    buckets.forEach((b, g) => {
      expect(b).toMatchObject({
        job_id: ['job-a', 'job-a', 'job-b'][g] ?? IDLE_JOB_ID,
        device: `gpu${g}`,
        device_kind: 'gpu',
        minute_start: T0,
        hour_start: T0 - (T0 % 3_600_000),
        joules: 5 * (100 + 10 * g),
        samples: 5,
        duration_ms: 5000,
        peak_power_w: 100 + 10 * g,
      });
    });
    const jobs = await db.db.selectFrom('jobs').selectAll().where('id', 'in', ['job-a', 'job-b']).orderBy('id').execute();
    expect(jobs.map((j) => [j.id, j.state, j.inferred, j.first_seen_at, j.last_seen_at])).toEqual([
      ['job-a', 'running', 1, T0 + 10_000, T0 + 15_000],
      ['job-b', 'running', 1, T0 + 10_000, T0 + 15_000],
    ]);
    const agent = await db.db.selectFrom('agents').select('last_seen_at').where('id', '=', alice.id).executeTakeFirstOrThrow();
    expect(agent.last_seen_at).toBeGreaterThan(Date.now() - 60_000);

    const text = await metrics();
    expect(metricValue(text, 'wattprint_ingest_batches_total{result="ingested"}')).toBe(1);
    expect(metricValue(text, 'wattprint_ingest_samples_total')).toBe(40);
    expect(metricValue(text, 'wattprint_ingest_joules_total')).toBe(BATCH_JOULES);
    expect(metricValue(text, 'wattprint_ingest_lag_seconds_count')).toBe(1);
  });

  it('splits a sample across a minute boundary by time (hand-computed)', async () => {
    // 59.5 s → 61.0 s with 150 J: 0.5 s (50 J) in the first minute, 1 s (100 J) in the next.
    // 30 s → 150 s with 1200 J at 10 J/s: 300 J, 600 J, 300 J over three minutes.
    const base = { kind: 'gpu' as const, jobId: 'job-split', powerW: 100, utilization: 90, source: 'nvml' as const };
    await producer.addBatch(
      signedBatch(alice, {
        firstSeq: 40,
        sentAt: T0 + 200_000,
        samples: [
          { ...base, seq: 40, t0: T0 + 59_500, t1: T0 + 61_000, device: 'gpu0', energyJ: 150 },
          { ...base, seq: 41, t0: T0 + 30_000, t1: T0 + 150_000, device: 'gpu7', energyJ: 1200 },
        ],
      }),
    );
    await waitFor('the split batch', async () => (await batchCount(alice.id)) === 2);
    const rows = await db.db
      .selectFrom('energy_buckets')
      .select(['device', 'minute_start', 'joules', 'duration_ms', 'samples'])
      .where('job_id', '=', 'job-split')
      .orderBy('device')
      .orderBy('minute_start')
      .execute();
    expect(rows.map((r) => [r.device, r.minute_start - T0, r.joules, r.duration_ms, r.samples])).toEqual([
      ['gpu0', 0, 50, 500, 1],
      ['gpu0', 60_000, 100, 1000, 0],
      ['gpu7', 0, 300, 30_000, 1],
      ['gpu7', 60_000, 600, 60_000, 0],
      ['gpu7', 120_000, 300, 30_000, 0],
    ]);
  });

  it('gives the same totals whatever order batches arrive in, records gaps, and closes a gap when the late batch comes', async () => {
    const batches = [0, 40, 80, 120].map((firstSeq, i) => realisticBatch(bob, { firstSeq, startMs: T0 + i * 5000, jobs: ['job-r'] }));
    const gaps = async () =>
      (
        await db.db
          .selectFrom('seq_gaps')
          .select(['from_seq', 'to_seq', 'from_t', 'to_t'])
          .where('agent_id', '=', bob.id)
          .orderBy('from_seq')
          .execute()
      ).map((g) => [g.from_seq, g.to_seq, g.from_t - T0, g.to_t - T0]);
    // arrival order: 120, 0, 80, then the late 40
    for (const [n, i] of [
      [1, 3],
      [2, 0],
      [3, 2],
    ]) {
      await producer.addBatch(batches[i]);
      await waitFor(`batch ${i}`, async () => (await batchCount(bob.id)) === n);
    }
    expect(await gaps()).toEqual([[40, 79, 5000, 10_000]]);
    await producer.addBatch(batches[1]);
    await waitFor('the late batch', async () => (await batchCount(bob.id)) === 4);
    expect(await gaps()).toEqual([]);
    expect(await agentJoules(bob.node)).toBe(4 * BATCH_JOULES);
  });

  it('shows an agent restart (new boot, seq carried on) as a gap over the dead window', async () => {
    const gina = testAgent('gina');
    await registerAgents(testDb.url, [gina]);
    const rebooted = { ...gina, bootId: randomUUID() };
    // first boot: seqs 0..79 until T0 + 10 s; dead from then; second boot numbers on from 80 at T0 + 60 s
    await producer.addBatch(realisticBatch(gina, { firstSeq: 0, startMs: T0 }));
    await producer.addBatch(realisticBatch(gina, { firstSeq: 40, startMs: T0 + 5000 }));
    await waitFor('the first boot', async () => (await batchCount(gina.id)) === 2);
    await producer.addBatch(realisticBatch(rebooted, { firstSeq: 80, startMs: T0 + 60_000 }));
    await waitFor('the second boot', async () => (await batchCount(gina.id)) === 3);
    // and the second boot then loses a batch (seqs 120..159)
    await producer.addBatch(realisticBatch(rebooted, { firstSeq: 160, startMs: T0 + 70_000 }));
    await waitFor('the batch after the loss', async () => (await batchCount(gina.id)) === 4);

    const gaps = await db.db.selectFrom('seq_gaps').selectAll().where('agent_id', '=', gina.id).orderBy('from_seq').execute();
    expect(gaps.map((g) => [g.boot_id, g.from_seq, g.to_seq, g.from_t - T0, g.to_t - T0])).toEqual([
      [rebooted.bootId, 80, 79, 10_000, 60_000],
      [rebooted.bootId, 120, 159, 65_000, 70_000],
    ]);
  });

  it("shrinks the restart gap to the dead window when the old boot's last batch arrives after the new boot's first", async () => {
    const hugo = testAgent('hugo');
    await registerAgents(testDb.url, [hugo]);
    const rebooted = { ...hugo, bootId: randomUUID() };
    // first boot: seqs 0..79 until T0 + 10 s, but its last batch (40..79) is held up (a late spool replay)
    await producer.addBatch(realisticBatch(hugo, { firstSeq: 0, startMs: T0 }));
    await waitFor('the first batch', async () => (await batchCount(hugo.id)) === 1);
    await producer.addBatch(realisticBatch(rebooted, { firstSeq: 80, startMs: T0 + 60_000 }));
    await waitFor('the second boot', async () => (await batchCount(hugo.id)) === 2);
    const gapRows = () => db.db.selectFrom('seq_gaps').selectAll().where('agent_id', '=', hugo.id).orderBy('from_seq').execute();
    expect((await gapRows()).map((g) => [g.boot_id, g.from_seq, g.to_seq, g.from_t - T0, g.to_t - T0])).toEqual([
      [rebooted.bootId, 40, 79, 5_000, 60_000],
    ]);

    await producer.addBatch(realisticBatch(hugo, { firstSeq: 40, startMs: T0 + 5000 }));
    await waitFor('the late batch', async () => (await batchCount(hugo.id)) === 3);
    // no seq is missing any more; the dead window [T0 + 10 s, T0 + 60 s) still is
    expect((await gapRows()).map((g) => [g.boot_id, g.from_seq, g.to_seq, g.from_t - T0, g.to_t - T0])).toEqual([
      [rebooted.bootId, 80, 79, 10_000, 60_000],
    ]);
  });

  it('sets aside forged, unsigned, malformed and unknown-agent batches without touching the valid ones beside them', async () => {
    const good = realisticBatch(carol, { firstSeq: 0, startMs: T0 });
    // an agent that signs without reordering its members: verified on the parsed message instead of its text
    const { signature: _g, ...callerOrderBody } = realisticBatch(carol, { firstSeq: 160, startMs: T0 + 20_000 });
    const reordered = Object.fromEntries(Object.entries(callerOrderBody).reverse());
    const goodInCallerOrder = { ...reordered, signature: sign(reordered, carol.key) } as typeof good;
    expect(JSON.stringify(goodInCallerOrder)).not.toMatch(/^\{"agentId"/);
    const forged = realisticBatch(carol, { firstSeq: 40, startMs: T0 + 5000 });
    forged.samples[3].energyJ = 1e6; // changed after signing
    const { signature: _s, ...unsigned } = realisticBatch(carol, { firstSeq: 80, startMs: T0 + 10_000 });
    const malformedBody = realisticBatch(carol, { firstSeq: 120, startMs: T0 + 15_000 });
    const malformed = signedBatch(carol, {
      ...malformedBody,
      samples: malformedBody.samples.map((s, i) => (i === 2 ? { ...s, energyJ: -5 } : s)),
    });
    const stranger = realisticBatch(testAgent('mallory'), { firstSeq: 0, startMs: T0 });
    await Promise.all([
      producer.addBatch(forged),
      producer.addBatch(unsigned),
      producer.addBatch(malformed),
      producer.addBatch(stranger),
      producer.addBatch(good),
      producer.addBatch(goodInCallerOrder),
    ]);

    await waitFor('four dead letters', async () => {
      const n = await db.db
        .selectFrom('dead_letters')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(n.n) === 4;
    });
    await waitFor('the good batches', async () => (await batchCount(carol.id)) === 2);
    expect(await agentJoules(carol.node)).toBe(2 * BATCH_JOULES);

    const letters = await db.db.selectFrom('dead_letters').selectAll().orderBy('reason').execute();
    expect(letters.map((l) => [l.queue, l.reason])).toEqual([
      ['samples', 'forged'],
      ['samples', 'malformed'],
      ['samples', 'unknown-agent'],
      ['samples', 'unsigned'],
    ]);
    expect(letters.find((l) => l.reason === 'malformed')!.detail).toMatch(/^samples\.2\.energyJ: .*got -5$/m);
    expect(letters.find((l) => l.reason === 'unknown-agent')!.detail).toContain('mallory');
    expect(JSON.parse(letters.find((l) => l.reason === 'forged')!.payload).samples[3].energyJ).toBe(1e6);

    const queued = await waitFor('the dead-letter queue', async () => {
      const jobs = await producer.deadLetters.getJobs(['waiting', 'completed']);
      return jobs.length === 4 ? jobs : undefined;
    });
    expect(queued.map((j) => [j.name, j.data.reason]).sort()).toEqual([
      ['dead-letter', 'forged'],
      ['dead-letter', 'malformed'],
      ['dead-letter', 'unknown-agent'],
      ['dead-letter', 'unsigned'],
    ]);
    const text = await metrics();
    for (const reason of ['forged', 'malformed', 'unknown-agent', 'unsigned']) {
      expect(metricValue(text, `wattprint_dead_letters_total{queue="samples",reason="${reason}"}`)).toBe(1);
    }
    // the same four in the one batches counter, by result
    expect(metricValue(text, 'wattprint_ingest_batches_total{result="dead"}')).toBe(4);
    // never retried: each completed once, none failed
    expect(await producer.samples.getFailedCount()).toBe(0);
  });

  it('applies job events once, before or after the samples of their job, in any order', async () => {
    // job-late: its end arrives first and waits (dave has neither started nor measured it yet), then samples, then its start
    await producer.addEvent(signedEvent(dave, { type: 'end', jobId: 'job-late', at: T0 + 20_000, exitCode: 0 }));
    await new Promise((r) => setTimeout(r, 300));
    expect(await db.db.selectFrom('jobs').select('state').where('id', '=', 'job-late').executeTakeFirst()).toBeUndefined();
    await producer.addBatch(realisticBatch(dave, { firstSeq: 0, startMs: T0 + 5000, jobs: ['job-late', 'job-early'] }));
    await waitFor('the samples', async () => (await batchCount(dave.id)) === 1);
    await waitFor(
      'the end event, once the job is seen',
      async () => (await db.db.selectFrom('jobs').select('state').where('id', '=', 'job-late').executeTakeFirst())?.state === 'ended',
    );
    const start = signedEvent(dave, {
      type: 'start',
      jobId: 'job-late',
      at: T0 + 1000,
      metadata: { user: 'ada', team: 'vision', project: 'llm', labels: { partition: 'gpu' } },
    });
    await producer.addEvent(start);
    // job-early: its start arrived before its samples
    await producer.addEvent(signedEvent(dave, { type: 'start', jobId: 'job-early', at: T0 + 2000, metadata: { team: 'speech' } }));
    await producer.addEvent({ ...start, eventId: start.eventId }); // same event again: BullMQ drops it by id
    await producer.events.add('job-event', start, { jobId: 'redelivered-start' }); // and again under another id
    const forged = { ...signedEvent(dave, { type: 'end', jobId: 'job-early', at: T0 + 3000 }), exitCode: 9 };
    await producer.addEvent(forged);

    await waitFor('all events handled', async () => {
      const text = await metrics();
      return (
        metricValue(text, 'wattprint_job_events_total{result="applied"}') === 3 &&
        metricValue(text, 'wattprint_job_events_total{result="duplicate"}') === 1 &&
        metricValue(text, 'wattprint_dead_letters_total{queue="job-events",reason="forged"}') === 1
      );
    });
    const jobs = await db.db.selectFrom('jobs').selectAll().where('id', 'in', ['job-late', 'job-early']).orderBy('id').execute();
    expect(
      jobs.map((j) => [j.id, j.state, j.inferred, j.team, j.started_at, j.ended_at, j.exit_code, j.first_seen_at, j.last_seen_at]),
    ).toEqual([
      ['job-early', 'running', 0, 'speech', T0 + 2000, null, null, T0 + 2000, T0 + 10_000],
      ['job-late', 'ended', 0, 'vision', T0 + 1000, T0 + 20_000, 0, T0 + 1000, T0 + 20_000],
    ]);
    expect(jobs[1]).toMatchObject({ user: 'ada', project: 'llm', labels: '{"partition":"gpu"}' });
  });

  it('serves /health, /ready and /metrics without a token, and OpenAPI at /docs-json', async () => {
    const server = app.getHttpServer();
    await request(server).get('/health').expect(200, { status: 'ok' });
    await request(server).get('/ready').expect(200, { ready: true, database: 'up', redis: 'up', ingest: 'running' });
    const text = (
      await request(server)
        .get('/metrics')
        .expect(200)
        .expect('Content-Type', /text\/plain/)
    ).text;
    for (const queue of ['samples', 'job-events', 'dead-letters']) {
      expect(text).toMatch(new RegExp(`^wattprint_queue_depth\\{queue="${queue}",state="waiting"\\} \\d+$`, 'm'));
    }
    expect(text).toMatch(/^wattprint_ingest_group_commit_batches_count \d+$/m);
    // the default Node metrics under their standard names
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
    expect(text).not.toMatch(/^wattprint_(process|nodejs)_/m);
    const doc = (await request(server).get('/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/ready', '/metrics']));
  });

  it('pauses through a database outage and then ingests every batch exactly once', async () => {
    const erin = testAgent('erin');
    await registerAgents(testDb.url, [erin]);
    const before = metricValue(await metrics(), 'wattprint_ingest_batches_total{result="ingested"}');
    let restore: () => Promise<void>;
    if (dialect === 'postgres') {
      await proxy!.stop();
      restore = () => proxy!.start();
    } else {
      // Another process's writer lock on the file: the collector's writes fail with SQLITE_BUSY.
      const holder = new Database(testDb.url.replace(/^sqlite:/, ''));
      holder.exec('BEGIN EXCLUSIVE');
      restore = async () => {
        holder.exec('ROLLBACK');
        holder.close();
      };
    }
    const batches = Array.from({ length: 10 }, (_, i) =>
      realisticBatch(erin, { firstSeq: i * 40, startMs: T0 + i * 5000, jobs: ['job-outage'] }),
    );
    for (const b of batches) await producer.addBatch(b);
    await waitFor('the outage to be noticed', async () => metricValue(await metrics(), 'wattprint_ingest_db_outages_total') >= 1);
    // SQLite: the database answers reads while its writer is locked out; ingest says it is paused
    const ready = await request(app.getHttpServer()).get('/ready').expect(503);
    expect(ready.body).toMatchObject({ ready: false, ingest: 'paused' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await batchCount(erin.id)).toBe(0);

    await restore();
    await waitFor('every batch after the outage', async () => (await batchCount(erin.id)) === 10, 30_000);
    expect(await agentJoules(erin.node)).toBe(10 * BATCH_JOULES);
    expect(metricValue(await metrics(), 'wattprint_ingest_batches_total{result="ingested"}') - before).toBe(10);
    expect(await producer.samples.getFailedCount()).toBe(0);
    const gaps = await sql<{ n: number }>`SELECT count(*) AS n FROM seq_gaps WHERE agent_id = ${erin.id}`.execute(db.db);
    expect(Number(gaps.rows[0].n)).toBe(0);
  });

  it('on shutdown during an outage puts the batches it holds back on the queue, for the next collector to ingest', async () => {
    const frank = testAgent('frank');
    await registerAgents(testDb.url, [frank]);
    const own = new TestProducer(freshQueuePrefix());
    const env = collectorEnv(collectorUrl, own.prefix, { WATTPRINT_SQLITE_BUSY_TIMEOUT_MS: '50' });
    let first: INestApplication | undefined = await startCollector(env);
    let second: INestApplication | undefined;
    let holder: Database.Database | undefined;
    try {
      // frank's key is cached before the outage, so his batches reach the group commit and wait there
      await own.addBatch(realisticBatch(frank, { firstSeq: 0, startMs: T0 }));
      await waitFor('the first batch', async () => (await batchCount(frank.id)) === 1);
      if (dialect === 'postgres') await proxy!.stop();
      else {
        holder = new Database(testDb.url.replace(/^sqlite:/, ''));
        holder.exec('BEGIN EXCLUSIVE');
      }
      for (let i = 1; i <= 5; i++) await own.addBatch(realisticBatch(frank, { firstSeq: i * 40, startMs: T0 + i * 5000 }));
      // the worker pauses at the first failed commit: what it took stays active, the rest waits
      await waitFor(
        'the outage to be noticed',
        async () => metricValue((await request(first!.getHttpServer()).get('/metrics')).text, 'wattprint_ingest_db_outages_total') >= 1,
      );
      expect(await own.samples.getActiveCount()).toBeGreaterThanOrEqual(1);
      await first.close();
      first = undefined;
      expect(await own.samples.getFailedCount()).toBe(0);
      expect(await own.samples.getWaitingCount()).toBe(5);

      if (dialect === 'postgres') await proxy!.start();
      else {
        holder!.exec('ROLLBACK');
        holder!.close();
        holder = undefined;
      }
      second = await startCollector(env);
      await waitFor('the held batches', async () => (await batchCount(frank.id)) === 6, 30_000);
      expect(await agentJoules(frank.node)).toBe(6 * BATCH_JOULES);
    } finally {
      holder?.close();
      await first?.close();
      await second?.close();
      await own.dispose();
    }
  });

  it('leaves the queues alone in a process with the api role', async () => {
    const own = new TestProducer(freshQueuePrefix());
    const api = await startCollector(collectorEnv(collectorUrl, own.prefix, { WATTPRINT_ROLE: 'api' }));
    try {
      await own.addBatch(realisticBatch(alice, { firstSeq: 4000, startMs: T0 }));
      await new Promise((r) => setTimeout(r, 300));
      expect(await own.samples.getWaitingCount()).toBe(1);
      await request(api.getHttpServer()).get('/ready').expect(200);
    } finally {
      await api.close();
      await own.dispose();
    }
  });
});
