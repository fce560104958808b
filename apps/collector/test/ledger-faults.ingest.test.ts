/**
 * The ledger-faults issue's findings on the ingest side, each as its own named test, on both
 * databases, against a real collector (worker and API) and real Redis.
 */
import type { INestApplication } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import { DIALECTS, createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import { MessageName, QueueName, type Sample, signed } from '@wattprint/protocol';
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
import { BOOTSTRAP_TOKEN, bearer } from './reports-harness';
import { waitFor } from './support/wait-for';

jest.setTimeout(60_000);

function sample(over: Partial<Sample> = {}): Sample {
  return {
    seq: 0,
    t0: T0 + 1_250,
    t1: T0 + 2_250,
    device: 'gpu0',
    kind: 'gpu',
    jobId: 'job-x',
    energyJ: 300.5,
    powerW: 300.5,
    utilization: 90,
    source: 'nvml',
    ...over,
  };
}

describe.each(DIALECTS)('ledger faults, ingest side, on %s', (dialect) => {
  let testDb: TestDatabase;
  let app: INestApplication;
  let producer: TestProducer;
  let db: DatabaseHandle;
  let scheduler: string;
  const ag1 = testAgent('ag1');
  const ag2 = testAgent('ag2');
  let nextSeq = 0;
  /** A batch of one agent with the given samples, seqs numbered on. */
  const batchOf = (agent = ag1, samples: Array<Partial<Sample>> = [{}], extra: { node?: string; sentAt?: number } = {}) => {
    const firstSeq = nextSeq;
    nextSeq += samples.length;
    const body = { firstSeq, sentAt: extra.sentAt ?? T0 + 10_000, samples: samples.map((s, i) => sample({ ...s, seq: firstSeq + i })) };
    if (extra.node === undefined) return signedBatch(agent, body);
    return signed({ version: 1 as const, agentId: agent.id, bootId: agent.bootId, node: extra.node, ...body }, agent.key);
  };

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    producer = new TestProducer(freshQueuePrefix());
    app = await startCollector(
      collectorEnv(testDb.url, producer.prefix, {
        WATTPRINT_ROLE: 'all',
        WATTPRINT_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
        WATTPRINT_JOB_EVENT_WAIT_MS: '1500',
        WATTPRINT_MAX_STALLS: '2',
        WATTPRINT_RATE_LIMIT_PER_MINUTE: '100000',
      }),
    );
    await registerAgents(testDb.url, [ag1, ag2]);
    db = openDatabase(testDb.url);
    const res = await request(app.getHttpServer())
      .post('/api/v1/tokens')
      .set(bearer(BOOTSTRAP_TOKEN))
      .send({ name: 'slurm', role: 'scheduler' })
      .expect(201);
    scheduler = res.body.secret;
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await producer?.dispose();
    await testDb?.drop();
  });

  const http = () => request(app.getHttpServer());
  const metrics = async () => (await http().get('/metrics').expect(200)).text;
  const letters = (reason: string) => db.db.selectFrom('dead_letters').selectAll().where('reason', '=', reason).orderBy('id').execute();
  const nodeJoules = async (node: string) =>
    Number(
      (
        await db.db
          .selectFrom('energy_buckets')
          .select((eb) => eb.fn.sum<number>('joules').as('j'))
          .where('node', '=', node)
          .executeTakeFirstOrThrow()
      ).j ?? 0,
    );
  const committed = async (agentId: string) =>
    Number(
      (
        await db.db
          .selectFrom('ingested_batches')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('agent_id', '=', agentId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('finding 3: a sample spanning 1e13 ms, or a year, is dead-lettered as out-of-bounds, and the process stays responsive', async () => {
    await producer.addBatch(batchOf(ag1, [{ t0: T0, t1: T0 + 1e13, jobId: 'huge' }]));
    await producer.addBatch(batchOf(ag1, [{ t0: T0 - 365 * 86_400_000, t1: T0, jobId: 'huge' }]));
    const found = await waitFor('two out-of-bounds letters', async () => {
      const rows = await letters('out-of-bounds');
      return rows.length >= 2 ? rows : undefined;
    });
    expect(found[0].detail).toContain('samples.0.t1: the sample spans 10000000000000 ms from t0; expected at most 600000 ms');
    expect(found[1].detail).toContain('samples.0.t1: the sample spans 31536000000 ms from t0; expected at most 600000 ms');
    await http().get('/health').expect(200);
    expect(await db.db.selectFrom('energy_buckets').select('job_id').where('job_id', '=', 'huge').execute()).toEqual([]);
  });

  it('finding 4: t0 = 9e15 and t0 = 0 are refused, and the legitimate job beside them keeps its reports', async () => {
    const legit = realisticBatch(ag1, { firstSeq: nextSeq, startMs: T0 + 60_000, jobs: ['legit'] });
    nextSeq += 40;
    await producer.addBatch(legit);
    await producer.addBatch(batchOf(ag1, [{ t0: 9e15, t1: 9e15 + 1000, jobId: 'legit' }]));
    await producer.addBatch(batchOf(ag1, [{ t0: 0, t1: 1000, jobId: 'legit' }]));
    await waitFor('the three batches', async () => (await letters('out-of-bounds')).length >= 4 && (await committed(ag1.id)) >= 1);
    const details = (await letters('out-of-bounds')).map((l) => l.detail).join('\n');
    expect(details).toContain('samples.0.t0: got 0 (1970-01-01T00:00:00.000Z); expected no earlier than 2000-01-01T00:00:00.000Z');
    expect(details).toMatch(/samples\.0\.t1: got 9000000000001000 \(9000000000001000\); expected no later than/);
    const list = await http().get('/api/v1/jobs').set(bearer(BOOTSTRAP_TOKEN)).expect(200);
    expect(list.body.jobs.map((j: { id: string }) => j.id)).toContain('legit');
    await http().get('/api/v1/jobs?format=csv').set(bearer(BOOTSTRAP_TOKEN)).expect(200);
    const page = await http().get('/api/v1/jobs/legit').set(bearer(BOOTSTRAP_TOKEN)).expect(200);
    expect(page.body.energy.energyKWh).toBeCloseTo((5 * 100) / 3.6e6, 12);
    expect(page.body.job.lastSeenAt).toBe(new Date(T0 + 65_000).toISOString());
  });

  it('finding 5: 1e308 joules is refused, and every figure stored and reported stays finite', async () => {
    await producer.addBatch(batchOf(ag1, [{ energyJ: 1e308, jobId: 'legit' }]));
    await producer.addBatch(batchOf(ag1, [{ energyJ: Number.MAX_VALUE, jobId: 'legit' }]));
    await waitFor('two more letters', async () => (await letters('out-of-bounds')).length >= 6);
    const details = (await letters('out-of-bounds')).map((l) => l.detail);
    expect(details.find((d) => d.includes('1.7976931348623157e+308'))).toMatch(
      /^samples\.0\.energyJ: got 1\.7976931348623157e\+308 J over 1000 ms .*expected at most 5000 W for the span, 5000 J$/,
    );
    const buckets = await db.db.selectFrom('energy_buckets').select('joules').execute();
    expect(buckets.every((b) => Number.isFinite(Number(b.joules)))).toBe(true);
    const page = await http().get('/api/v1/jobs/legit').set(bearer(BOOTSTRAP_TOKEN)).expect(200);
    for (const figure of [page.body.energy.energyKWh, page.body.energy.facilityEnergyKWh, page.body.energy.co2eqKg]) {
      expect(Number.isFinite(figure)).toBe(true);
    }
  });

  it('finding 6: an agent speaks for its own node only, in batches and in job events', async () => {
    // ag1's key, ag2's node: refused, and nothing counted on ag2's node
    await producer.addBatch(batchOf(ag1, [{ jobId: 'job-of-ag1' }], { node: ag2.node }));
    const [mismatch] = await waitFor('a node-mismatch letter', async () => {
      const rows = await letters('node-mismatch');
      return rows.length === 1 ? rows : undefined;
    });
    expect(mismatch.detail).toBe(`node: got "${ag2.node}"; expected "${ag1.node}", the node agent "ag1" is registered for`);
    expect(await nodeJoules(ag2.node)).toBe(0);

    // ag1 runs job-of-ag1 for team vision; ag2 never saw it
    await producer.addBatch(batchOf(ag1, [{ jobId: 'job-of-ag1' }]));
    await producer.addEvent(
      signedEvent(ag1, { type: 'start', jobId: 'job-of-ag1', at: T0 + 1_250, metadata: { team: 'vision', user: 'ada' } }),
    );
    await waitFor('the job started', async () => {
      const job = await db.db.selectFrom('jobs').selectAll().where('id', '=', 'job-of-ag1').executeTakeFirst();
      return job?.team === 'vision';
    });
    // ag2 describes and ends it: held while it might be a reordering, then set aside
    await producer.addEvent(
      signedEvent(ag2, { type: 'metadata', jobId: 'job-of-ag1', at: T0 + 3_000, metadata: { team: 'evil', user: 'mallory' } }),
    );
    await producer.addEvent(signedEvent(ag2, { type: 'end', jobId: 'job-of-ag1', at: T0 + 4_000, exitCode: 1 }));
    const notSeen = await waitFor('two job-not-seen letters', async () => {
      const rows = await letters('job-not-seen');
      return rows.length === 2 ? rows : undefined;
    });
    expect(notSeen[0].detail).toBe(`jobId: agent "ag2" never started job "job-of-ag1" nor sent energy for it on its node "${ag2.node}"`);
    // ag2 claiming the job on its own node may add itself, but cannot rename what ag1 said
    await producer.addEvent(
      signedEvent(ag2, { type: 'start', jobId: 'job-of-ag1', at: T0 + 5_000, metadata: { team: 'evil', user: 'mallory' } }),
    );
    await waitFor(
      'ag2 recorded on the job',
      async () => (await db.db.selectFrom('job_nodes').selectAll().where('job_id', '=', 'job-of-ag1').execute()).length === 2,
    );
    const job = await db.db.selectFrom('jobs').selectAll().where('id', '=', 'job-of-ag1').executeTakeFirstOrThrow();
    expect(job).toMatchObject({ team: 'vision', user: 'ada', state: 'running', ended_at: null });
    expect(metricValue(await metrics(), 'wattprint_dead_letters_total{queue="job-events",reason="job-not-seen"}')).toBe(2);
  });

  it('finding 9: poison messages get a dead letter with its reason and the metric; none reaches the failed set', async () => {
    /** Queues a placeholder to run a little later, and replaces its data with `text` meanwhile, as a writer that is not BullMQ might. */
    const spoil = async (queue: 'samples' | 'job-events', jobId: string, text: string) => {
      await (queue === 'samples' ? producer.samples : producer.events).add('x', { placeholder: true }, { jobId, delay: 200 });
      await producer.connection.hset(`${producer.prefix}:${queue}:${jobId}`, 'data', text);
    };
    // not JSON: what a writer that is not BullMQ might leave
    await spoil('samples', 'poison-text', '{"version":1,');
    // nested 40,000 deep (written raw: no JSON.stringify, BullMQ's included, writes that deep)
    const deep = `${'['.repeat(40_000)}1${']'.repeat(40_000)}`;
    await spoil('samples', 'poison-deep', `{"version":1,"signature":"${'f'.repeat(64)}","samples":${deep}}`);
    // a NUL in the node (signed, so only the content can be refused) and in a job id
    await producer.addBatch(batchOf(ag1, [{}], { node: 'ag1\u0000.cluster' }));
    await producer.addBatch(batchOf(ag1, [{ jobId: 'job\u0000x' }]));
    // a message consumers died holding twice (WATTPRINT_MAX_STALLS=2)
    await producer.samples.add(MessageName.Batch, batchOf(ag1, [{ jobId: 'stalled' }]), { jobId: 'poison-stalled', delay: 200 });
    await producer.connection.hset(`${producer.prefix}:${QueueName.Samples}:poison-stalled`, 'stc', '2');
    // a job event nested deep, and one with a NUL in its metadata
    await spoil('job-events', 'poison-event', `{"type":"start","signature":"${'f'.repeat(64)}","metadata":${deep}}`);
    await producer.addEvent(signedEvent(ag1, { type: 'metadata', jobId: 'legit', at: T0 + 2_000, metadata: { team: 'a\u0000b' } }));

    const text = await waitFor('every poison message set aside', async () => {
      const t = await metrics();
      const count = (queue: string, reason: string) => metricValue(t, `wattprint_dead_letters_total{queue="${queue}",reason="${reason}"}`);
      return count('samples', 'unparseable') === 1 &&
        count('samples', 'malformed') === 3 &&
        count('samples', 'stalled') === 1 &&
        count('job-events', 'malformed') === 2
        ? t
        : undefined;
    });
    expect(text).toBeDefined();
    const malformed = (await letters('malformed')).map((l) => l.detail);
    expect(malformed).toEqual(
      expect.arrayContaining([
        '(root): nested deeper than 16 levels; a message is at most 4 deep',
        expect.stringMatching(/^node: expected no control characters/),
        expect.stringMatching(/^samples\.0\.jobId: expected no control characters/),
        expect.stringMatching(/^metadata\.team: expected no control characters/),
      ]),
    );
    const [unparseable] = await letters('unparseable');
    expect(unparseable.payload).toBe('{"version":1,');
    expect(unparseable.detail).toMatch(/^\(root\): not JSON: /);
    expect((await letters('stalled'))[0].detail).toMatch(/^\(root\): 2 consumers took this message and died or froze/);
    expect(await producer.samples.getFailedCount()).toBe(0);
    expect(await producer.events.getFailedCount()).toBe(0);
    expect(await db.db.selectFrom('energy_buckets').select('job_id').where('job_id', '=', 'stalled').execute()).toEqual([]);
  });

  it('finding 14: what the scheduler publishes outranks what the agent infers, and says how the job ended', async () => {
    const publish = (body: Record<string, unknown>) => http().post('/api/v1/job-events').set(bearer(scheduler)).send(body);
    const started = await publish({
      eventId: 'slurm.c1.4242.start',
      type: 'start',
      jobId: '4242',
      at: new Date(T0 + 1_000).toISOString(),
      metadata: { user: 'grace', team: 'nlp', scheduler: 'slurm', schedulerJobId: '4242', labels: { 'slurm.partition': 'gpu' } },
      nodes: [ag1.node],
    });
    expect(started.status).toBe(200);
    expect(started.body).toEqual({ applied: true });
    expect((await publish({ eventId: 'slurm.c1.4242.start', type: 'start', jobId: '4242', at: T0 + 1_000 })).body).toEqual({
      applied: false,
    });
    // the agent's own start, as it infers it from /proc, arrives after
    await producer.addBatch(batchOf(ag1, [{ jobId: '4242' }]));
    await producer.addEvent(
      signedEvent(ag1, { type: 'start', jobId: '4242', at: T0 + 1_250, metadata: { scheduler: 'unknown', team: 'guess', user: 'root' } }),
    );
    await waitFor(
      'the agent recorded on the job',
      async () => (await db.db.selectFrom('job_nodes').selectAll().where('job_id', '=', '4242').execute()).length === 1,
    );
    const ended = await publish({
      eventId: 'slurm.c1.4242.end',
      type: 'end',
      jobId: '4242',
      at: T0 + 9_000,
      exitCode: 1,
      exitState: 'FAILED',
    });
    expect(ended.status).toBe(200);
    const page = await http().get('/api/v1/jobs/4242').set(bearer(BOOTSTRAP_TOKEN)).expect(200);
    expect(page.body.job).toMatchObject({
      user: 'grace',
      team: 'nlp',
      scheduler: 'slurm',
      schedulerJobId: '4242',
      state: 'ended',
      startedAt: new Date(T0 + 1_000).toISOString(),
      endedAt: new Date(T0 + 9_000).toISOString(),
      exitCode: 1,
      exitState: 'FAILED',
      allocatedNodes: [ag1.node],
      labels: { 'slurm.partition': 'gpu' },
      fieldSources: expect.objectContaining({ team: 'scheduler', started_at: 'scheduler', ended_at: 'scheduler' }),
    });
    // an agent's token may not publish; a bad body names its fields
    expect((await publish({ eventId: 'x', type: 'start', jobId: 'j', at: 'yesterday' })).status).toBe(400);
    const bad = await publish({ eventId: 'has space', type: 'finish', jobId: 'j\u0000', at: 9e15, exitState: 'failed' });
    expect(bad.status).toBe(400);
    expect(bad.body.problems.map((p: { path: string }) => p.path).sort()).toEqual(['eventId', 'exitState', 'jobId', 'type']);
    const late = await publish({ eventId: 'late', type: 'start', jobId: 'j', at: 9e15 - 1e15 });
    expect(late.status).toBe(400);
    expect(late.body.problems[0].message).toMatch(/expected no later than/);
  });
});
