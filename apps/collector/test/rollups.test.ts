/**
 * Hourly rollups, retention and partitions on both databases: random histories delivered out of
 * order, late (after their hours were folded) and twice, with folds in between; the rollup's hours
 * equal their minutes and every report equals the minute-only answer to 1e-9. Retention drops
 * minutes only once folded, and reports and job pages then read hours.
 */
import type { INestApplication } from '@nestjs/common';
import { type DatabaseHandle, groupKeyOf } from '@wattprint/db';
import { DIALECTS, createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import type { Batch, Sample } from '@wattprint/protocol';
import { sql } from 'kysely';
import request from 'supertest';
import { RetentionRepository } from '../src/rollups/retention.repository';
import { RollupService } from '../src/rollups/rollup.service';
import { DailyRollupService } from '../src/reports/daily/daily-rollup.service';
import { signedBatch, testAgent, type TestAgent } from './support/batches';
import {
  TestProducer,
  collectorEnv,
  committedBatches,
  freshQueuePrefix,
  openDatabase,
  registerAgents,
  startCollector,
} from './support/collector-harness';
import { BOOTSTRAP_TOKEN, bearer } from './reports-harness';
import { waitFor } from './support/wait-for';
import { expectClose, expectJobTotalsOfDailyRows, prng, shuffle } from './support/rollup-checks';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The history: six hours ending two days ago, starting 17 min 23.417 s past an hour. */
const START = Math.floor((Date.now() - 2 * DAY) / HOUR) * HOUR - 6 * HOUR + 17 * 60_000 + 23_417;
const END = START + 6 * HOUR;

/** Batches of several agents over the history: irregular spans (some across minutes and hours), jobs coming and going. */
function history(agents: TestAgent[], seed: number): Batch[] {
  const random = prng(seed);
  const batches: Batch[] = [];
  for (const agent of agents) {
    let seq = 0;
    for (let t = START + Math.floor(random() * 5000); t < END;) {
      const samples: Sample[] = [];
      const span = 1_000 + Math.floor(random() * 170_000);
      for (let g = 0; g < 3; g++) {
        const watts = 50 + random() * 650;
        samples.push({
          seq: seq + samples.length,
          t0: t,
          t1: t + span,
          device: `gpu${g}`,
          kind: 'gpu',
          jobId: random() < 0.2 ? null : `job-${agent.id}-${Math.floor((t - START) / (90 * 60_000))}-${g % 2}`,
          energyJ: (watts * span) / 1000,
          powerW: watts,
          utilization: null,
          source: 'nvml',
        });
      }
      batches.push(signedBatch(agent, { firstSeq: seq, sentAt: t + span, samples }));
      seq += samples.length;
      t += span;
    }
  }
  return batches;
}

describe.each(DIALECTS)('hourly rollups on %s', (dialect) => {
  let testDb: TestDatabase;
  let app: INestApplication;
  let producer: TestProducer;
  let db: DatabaseHandle;
  let rollups: RollupService;
  const agents = ['ra', 'rb', 'rc'].map(testAgent);
  const batches = history(agents, dialect === 'sqlite' ? 5 : 9);

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    producer = new TestProducer(freshQueuePrefix());
    app = await startCollector(
      collectorEnv(testDb.url, producer.prefix, {
        WATTPRINT_ROLE: 'all',
        WATTPRINT_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
        WATTPRINT_RATE_LIMIT_PER_MINUTE: '100000',
        WATTPRINT_MAINTENANCE_EVERY_MS: '0',
        WATTPRINT_ROLLUP_LAG_MS: '0',
        WATTPRINT_MINUTE_RETENTION_DAYS: 'forever',
      }),
    );
    await registerAgents(testDb.url, agents);
    db = openDatabase(testDb.url);
    rollups = app.get(RollupService);
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await producer?.dispose();
    await testDb?.drop();
  });

  const committed = () => committedBatches(db);
  /** A read with nothing folded: the minute-only answer, to compare the rollups' answer with. */
  const minuteOnly = async <T>(read: () => Promise<T>): Promise<T> => {
    const state = await db.db.selectFrom('rollup_state').selectAll().executeTakeFirstOrThrow();
    await db.db.updateTable('rollup_state').set({ folded_until: null }).execute();
    try {
      return await read();
    } finally {
      await db.db.updateTable('rollup_state').set({ folded_until: state.folded_until }).execute();
    }
  };
  const publish = (body: Record<string, unknown>) =>
    request(app.getHttpServer()).post('/api/v1/job-events').set(bearer(BOOTSTRAP_TOKEN)).send(body);
  /** Gives jobs attributes: some missing, some empty, teams shared so groups hold several jobs. */
  const describeJobs = async (jobIds: readonly string[], round: number, random: () => number, together = false) => {
    const pick = <T>(options: readonly T[]) => options[Math.floor(random() * options.length)];
    const events = jobIds.map((jobId, i) => async () => {
      const metadata = Object.fromEntries(
        Object.entries({
          team: pick(['vision', 'nlp', '', undefined]),
          project: pick(['llm', 'asr', undefined]),
          user: pick(['ada', 'grace', undefined]),
          cluster: pick(['c1', undefined]),
        }).filter(([, v]) => v !== undefined),
      );
      const at = new Date(START + i * 1_000).toISOString();
      const answer = await publish({ eventId: `meta.${round}.${jobId}`, type: 'metadata', jobId, at, metadata });
      expect([jobId, answer.status]).toEqual([jobId, 200]);
    });
    if (together) await Promise.all(events.map((e) => e()));
    else for (const e of events) await e();
  };
  /** Every row of energy_group_hourly is energy_hourly summed under the jobs' attributes and the nodes' sites now. */
  const expectGroupsFollowJobs = async () => {
    const rows = await db.db.selectFrom('energy_group_hourly').selectAll().execute();
    const jobs = new Map(
      (await db.db.selectFrom('jobs').select(['id', 'team', 'project', 'user', 'cluster']).execute()).map((j) => [j.id, j]),
    );
    const nodes = new Map((await db.db.selectFrom('nodes').select(['name', 'site_id']).execute()).map((n) => [n.name, n.site_id ?? '']));
    const none = { team: null, project: null, user: null, cluster: null };
    const expected = new Map<string, { joules: number; samples: number; attributes: unknown[] }>();
    for (const h of await db.db.selectFrom('energy_hourly').selectAll().execute()) {
      const job = h.job_id === '' ? none : (jobs.get(h.job_id) ?? none);
      const key = `${Number(h.hour_start)}|${nodes.get(h.node) ?? ''}|${groupKeyOf(h.job_id, job)}|${h.device_kind}`;
      const row = expected.get(key) ?? { joules: 0, samples: 0, attributes: [job.team, job.project, job.user, job.cluster] };
      row.joules += Number(h.joules);
      row.samples += Number(h.samples);
      expected.set(key, row);
    }
    expect(rows.length).toBe(expected.size);
    for (const r of rows) {
      const key = `${Number(r.hour_start)}|${r.site_key}|${r.group_key}|${r.device_kind}`;
      const want = expected.get(key);
      expect([key, want === undefined, [r.team, r.project, r.user, r.cluster], Number(r.samples)]).toEqual([
        key,
        false,
        want?.attributes,
        want?.samples,
      ]);
      expect(Math.abs(Number(r.joules) - want!.joules)).toBeLessThanOrEqual(1e-9 * want!.joules);
    }
  };
  const deliver = async (wave: Batch[], expectedTotal: number) => {
    for (const b of wave) await producer.addBatch(b);
    await waitFor(`${expectedTotal} batches committed`, async () => (await committed()) === expectedTotal, 60_000);
  };

  it('keeps every folded hour equal to its minutes, with batches late, twice and out of order around folds', async () => {
    const random = prng(dialect === 'sqlite' ? 77 : 78);
    const order = shuffle(batches, random);
    const waves = [
      order.slice(0, order.length / 3),
      order.slice(order.length / 3, (2 * order.length) / 3),
      order.slice((2 * order.length) / 3),
    ];
    // half the jobs described before their energy comes, so folds write groups with attributes
    const jobIds = [...new Set(batches.flatMap((b) => b.samples.map((x) => x.jobId)).filter((id): id is string => id !== null))].sort();
    await describeJobs(
      jobIds.filter((_, i) => i % 2 === 0),
      0,
      random,
    );
    let total = 0;
    // fold as time goes by: after the first wave up to two hours in, after the second up to five
    for (const [i, wave] of waves.entries()) {
      total += wave.length;
      await deliver(wave, total);
      await rollups.fold(START + [2, 5, 7][i] * HOUR);
      // a few of the wave again, under other BullMQ ids: counted once
      for (const b of wave.slice(0, 5)) await producer.addBatch(b, 1);
    }
    await waitFor(
      'redeliveries handled',
      async () => (await producer.samples.getWaitingCount()) === 0 && (await producer.samples.getActiveCount()) === 0,
    );
    const state = await db.db.selectFrom('rollup_state').selectAll().executeTakeFirstOrThrow();
    expect(Number(state.folded_until)).toBe(Math.floor((START + 7 * HOUR) / HOUR) * HOUR);

    const hourly = await db.db.selectFrom('energy_hourly').selectAll().execute();
    const minutes = await db.db
      .selectFrom('energy_buckets')
      .select((eb) => [
        'job_id',
        'node',
        'device',
        'hour_start',
        eb.fn.sum<number>('joules').as('joules'),
        eb.fn.sum<number>('samples').as('samples'),
        eb.fn.sum<number>('duration_ms').as('duration_ms'),
      ])
      .groupBy(['job_id', 'node', 'device', 'hour_start'])
      .execute();
    const key = (r: { job_id: string; node: string; device: string; hour_start: number }) =>
      `${r.job_id}|${r.node}|${r.device}|${Number(r.hour_start)}`;
    const byKey = new Map(minutes.map((m) => [key(m), m]));
    expect(hourly.length).toBe(minutes.length);
    for (const h of hourly) {
      const m = byKey.get(key(h))!;
      expect(Math.abs(Number(h.joules) - Number(m.joules)) / Number(m.joules)).toBeLessThan(1e-9);
      expect([key(h), Number(h.samples), Number(h.duration_ms)]).toEqual([key(h), Number(m.samples), Number(m.duration_ms)]);
    }
    const late = hourly.filter((h) => Number(h.hour_start) < START + 2 * HOUR).length;
    expect(late).toBeGreaterThan(0);

    // the rollup by node: every (hour, node, device kind) the sum of its minutes, idle energy apart
    const nodeHours = await db.db.selectFrom('energy_node_hourly').selectAll().execute();
    const nodeMinutes = await db.db
      .selectFrom('energy_buckets')
      .select((eb) => [
        'hour_start',
        'node',
        'device_kind',
        eb.fn.sum<number>('joules').as('joules'),
        sql<number>`sum(case when job_id = '' then joules else 0 end)`.as('idle_joules'),
        eb.fn.sum<number>('samples').as('samples'),
        eb.fn.sum<number>('duration_ms').as('duration_ms'),
      ])
      .where('hour_start', '<', Number(state.folded_until))
      .groupBy(['hour_start', 'node', 'device_kind'])
      .execute();
    const nodeKey = (r: { hour_start: number; node: string; device_kind: string }) => `${Number(r.hour_start)}|${r.node}|${r.device_kind}`;
    const minutesByNode = new Map(nodeMinutes.map((m) => [nodeKey(m), m]));
    expect(nodeHours.length).toBe(nodeMinutes.length);
    expect(nodeMinutes.some((m) => Number(m.idle_joules) > 0)).toBe(true);
    for (const h of nodeHours) {
      const m = minutesByNode.get(nodeKey(h))!;
      expect(Math.abs(Number(h.joules) - Number(m.joules)) / Number(m.joules)).toBeLessThan(1e-9);
      expect(Math.abs(Number(h.idle_joules) - Number(m.idle_joules))).toBeLessThanOrEqual(1e-9 * Number(m.joules));
      expect([nodeKey(h), Number(h.samples), Number(h.duration_ms)]).toEqual([nodeKey(h), Number(m.samples), Number(m.duration_ms)]);
    }
    // the rollup by job group: the hourly rows under their jobs' attributes
    await expectGroupsFollowJobs();
    expect(new Set((await db.db.selectFrom('energy_group_hourly').select('team').execute()).map((r) => r.team))).toEqual(
      new Set([null, '', 'vision', 'nlp']),
    );
  });

  it('answers every report exactly as the minutes alone would, for ranges off the hour', async () => {
    const random = prng(dialect === 'sqlite' ? 3 : 4);
    const ranges = Array.from({ length: 6 }, () => {
      const from = START - HOUR + Math.floor(random() * 4 * HOUR);
      return { from, to: from + Math.floor(random() * 5 * HOUR) + 60_000 };
    });
    const answers = async () => {
      const out: unknown[] = [];
      for (const r of ranges) {
        const range = `from=${new Date(r.from).toISOString()}&to=${new Date(r.to).toISOString()}`;
        for (const groupBy of ['team', 'user', 'project', 'cluster', 'node', 'site']) {
          for (const bucket of ['hour', 'day']) {
            const url = `/api/v1/usage?groupBy=${groupBy}&bucket=${bucket}&${range}`;
            out.push((await request(app.getHttpServer()).get(url).set(bearer(BOOTSTRAP_TOKEN)).expect(200)).body);
          }
        }
        for (const filtered of [
          'groupBy=site&team=vision',
          'groupBy=user&team=nlp',
          'groupBy=team&project=llm&cluster=c1',
          'groupBy=node&user=ada',
        ])
          out.push(
            (
              await request(app.getHttpServer())
                .get(`/api/v1/usage?${filtered}&bucket=hour&${range}`)
                .set(bearer(BOOTSTRAP_TOKEN))
                .expect(200)
            ).body,
          );
      }
      const jobIds = (await db.db.selectFrom('jobs').select('id').orderBy('id').limit(6).execute()).map((j) => j.id);
      for (const id of jobIds)
        out.push((await request(app.getHttpServer()).get(`/api/v1/jobs/${id}`).set(bearer(BOOTSTRAP_TOKEN)).expect(200)).body.energy);
      return out;
    };
    expectClose(await answers(), await minuteOnly(answers));
  });

  it("keeps the rollup by site on the nodes' current sites as nodes move, are placed and lose their site", async () => {
    const http = () => request(app.getHttpServer());
    const auth = bearer(BOOTSTRAP_TOKEN);
    for (const [id, region] of [
      ['fra', 'DE'],
      ['par', 'FR'],
    ])
      await http().post('/api/v1/sites').set(auth).send({ id, name: id, region, pue: 1.2 }).expect(201);
    const range = `from=${new Date(START - HOUR).toISOString()}&to=${new Date(END + HOUR).toISOString()}`;
    const bySite = async () => (await http().get(`/api/v1/usage?groupBy=site&bucket=hour&${range}`).set(auth).expect(200)).body;
    /** Every row of energy_site_hourly is its nodes' rows summed under their sites now. */
    const expectSitesFollowNodes = async () => {
      const rows = await db.db.selectFrom('energy_site_hourly').selectAll().execute();
      const nodes = new Map((await db.db.selectFrom('nodes').select(['name', 'site_id']).execute()).map((n) => [n.name, n.site_id ?? '']));
      const expected = new Map<string, number>();
      for (const h of await db.db.selectFrom('energy_node_hourly').selectAll().execute()) {
        const key = `${Number(h.hour_start)}|${nodes.get(h.node) ?? ''}|${h.device_kind}`;
        expected.set(key, (expected.get(key) ?? 0) + Number(h.joules));
      }
      expect(rows.length).toBe(expected.size);
      for (const r of rows) {
        const want = expected.get(`${Number(r.hour_start)}|${r.site_key}|${r.device_kind}`)!;
        expect(Math.abs(Number(r.joules) - want)).toBeLessThanOrEqual(1e-9 * want);
      }
    };
    const [a, b, c] = agents.map((x) => x.node);
    const moves: Array<() => Promise<unknown>> = [
      () => http().put(`/api/v1/nodes/${a}/site`).set(auth).send({ siteId: 'fra' }).expect(200),
      () => http().put(`/api/v1/nodes/${b}/site`).set(auth).send({ siteId: 'fra' }).expect(200),
      () => http().put(`/api/v1/nodes/${a}/site`).set(auth).send({ siteId: 'par' }).expect(200),
      () => http().put(`/api/v1/nodes/${c}/site`).set(auth).send({ siteId: 'par' }).expect(200),
      () => http().delete('/api/v1/sites/par').set(auth).expect(204),
      () => http().put(`/api/v1/nodes/${b}/site`).set(auth).send({ siteId: null }).expect(200),
    ];
    for (const move of moves) {
      await move();
      await expectSitesFollowNodes();
      expectClose(await bySite(), await minuteOnly(bySite));
    }
    // a late batch after the moves lands under its node's site of now
    const late = batches.find((x) => x.samples[0].t0 < START + HOUR)!;
    const sender = agents.find((x) => x.id === late.agentId)!;
    const samples = late.samples.map((x, i) => ({ ...x, seq: 900_000 + i }));
    await producer.addBatch(signedBatch(sender, { firstSeq: 900_000, sentAt: late.sentAt, samples }));
    await waitFor('the late copy counted', async () => (await committed()) > batches.length);
    await expectSitesFollowNodes();
    expectClose(await bySite(), await minuteOnly(bySite));
    await expectGroupsFollowJobs();
  });

  it("keeps the rollup by job group on the jobs' current attributes as job events change them", async () => {
    const http = () => request(app.getHttpServer());
    const auth = bearer(BOOTSTRAP_TOKEN);
    const range = `from=${new Date(START - HOUR).toISOString()}&to=${new Date(END + HOUR).toISOString()}`;
    const reads = ['groupBy=team', 'groupBy=user', 'groupBy=project&team=nlp', 'groupBy=site&cluster=c1'];
    const answers = async () => {
      const out: unknown[] = [];
      for (const read of reads) out.push((await http().get(`/api/v1/usage?${read}&bucket=hour&${range}`).set(auth).expect(200)).body);
      return out;
    };
    const random = prng(dialect === 'sqlite' ? 11 : 12);
    const jobIds = (await db.db.selectFrom('jobs').select('id').orderBy('id').execute()).map((j) => j.id);
    // three rounds of new attributes for random jobs, folded hours and all: each a new sum of two groups
    for (const round of [1, 2, 3]) {
      const before = await db.db.selectFrom('energy_group_hourly').select(['group_key']).distinct().execute();
      await describeJobs(
        jobIds.filter(() => random() < 0.4),
        round,
        random,
      );
      await expectGroupsFollowJobs();
      const after = await db.db.selectFrom('energy_group_hourly').select(['group_key']).distinct().execute();
      expect(after).not.toEqual(before);
      expectClose(await answers(), await minuteOnly(answers));
    }
    // events changing many folded jobs at once, while late batches of them arrive: each event that
    // sums group rows again has them to itself, and a late batch lands under the group of its commit
    const lateCopies = batches.filter((x) => x.samples[0].t0 < START + 2 * HOUR).slice(0, 12);
    const committedBefore = await committed();
    await Promise.all([
      describeJobs(
        jobIds.filter(() => random() < 0.6),
        4,
        random,
        true,
      ),
      (async () => {
        for (const [k, copy] of lateCopies.entries()) {
          const sender = agents.find((x) => x.id === copy.agentId)!;
          const samples = copy.samples.map((x, i) => ({ ...x, seq: 800_000 + k * 100 + i }));
          await producer.addBatch(signedBatch(sender, { firstSeq: 800_000 + k * 100, sentAt: copy.sentAt, samples }));
        }
      })(),
    ]);
    await waitFor('the late copies counted', async () => (await committed()) === committedBefore + lateCopies.length);
    await expectGroupsFollowJobs();
    expectClose(await answers(), await minuteOnly(answers));
    // a late batch of a job whose attributes changed lands under its group of now
    const late = batches.find((x) => x.samples[0].t0 < START + HOUR && x.samples.some((y) => y.jobId !== null))!;
    const sender = agents.find((x) => x.id === late.agentId)!;
    const samples = late.samples.map((x, i) => ({ ...x, seq: 950_000 + i }));
    const before = await committed();
    await producer.addBatch(signedBatch(sender, { firstSeq: 950_000, sentAt: late.sentAt, samples }));
    await waitFor('the late copy counted', async () => (await committed()) > before);
    await expectGroupsFollowJobs();
    expectClose(await answers(), await minuteOnly(answers));
  });
});

describe.each(DIALECTS)('retention on %s', (dialect) => {
  let testDb: TestDatabase;
  let app: INestApplication;
  let producer: TestProducer;
  let db: DatabaseHandle;
  const agents = ['ta', 'tb'].map(testAgent);
  const now = Date.now();
  /** Three stretches of history: 40 days ago (a month no partition is made for), 20 days ago, 2 days ago. */
  const shifts = [40, 20, 2].map((days) => Math.floor((now - days * DAY) / HOUR) * HOUR - START);
  const batches = agents.flatMap((agent, a) =>
    shifts.flatMap((shift, s) =>
      history([agent], 11 + a).map((b) => {
        const samples = b.samples.map((x) => ({
          ...x,
          seq: x.seq + s * 100_000,
          t0: x.t0 + shift,
          t1: x.t1 + shift,
          jobId: x.jobId === null ? null : `${x.jobId}-${s}`,
        }));
        return signedBatch(agent, { firstSeq: b.firstSeq + s * 100_000, sentAt: b.sentAt + shift, samples });
      }),
    ),
  );
  const minuteRows = async () =>
    await db.db
      .selectFrom('energy_buckets')
      .select((eb) => [eb.fn.min<number>('minute_start').as('first'), eb.fn.countAll<number>().as('n')])
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    producer = new TestProducer(freshQueuePrefix());
    app = await startCollector(
      collectorEnv(testDb.url, producer.prefix, {
        WATTPRINT_ROLE: 'all',
        WATTPRINT_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
        WATTPRINT_RATE_LIMIT_PER_MINUTE: '100000',
        WATTPRINT_MAINTENANCE_EVERY_MS: '0',
        WATTPRINT_ROLLUP_LAG_MS: String(25 * DAY),
        WATTPRINT_MINUTE_RETENTION_DAYS: '3',
        WATTPRINT_EARLIEST_TIME: '2020-01-01T00:00:00Z',
      }),
    );
    await registerAgents(testDb.url, agents);
    db = openDatabase(testDb.url);
    for (const b of batches) await producer.addBatch(b);
    await waitFor(
      'the history committed',
      async () =>
        Number(
          (
            await db.db
              .selectFrom('ingested_batches')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ) === batches.length,
      60_000,
    );
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await producer?.dispose();
    await testDb?.drop();
  });

  it('never drops a minute whose hour is not folded, drops the rest past retention, and keeps every hour', async () => {
    const service = app.get(RollupService);
    // by the hour a week a request at most (MAX_HOURLY_USAGE_RANGE_MS): the range's answers, a week each
    const usage = async (from: number, to: number) => {
      const answers: unknown[] = [];
      for (let start = from; start < to; start += 7 * DAY) {
        const end = Math.min(to, start + 7 * DAY);
        answers.push(
          (
            await request(app.getHttpServer())
              .get(`/api/v1/usage?groupBy=node&bucket=hour&from=${new Date(start).toISOString()}&to=${new Date(end).toISOString()}`)
              .set(bearer(BOOTSTRAP_TOKEN))
              .expect(200)
          ).body,
        );
      }
      return answers;
    };
    const oldRange = { from: Math.floor((now - 41 * DAY) / HOUR) * HOUR, to: Math.floor((now - 19 * DAY) / HOUR) * HOUR };
    const before = await usage(oldRange.from, oldRange.to);
    const jobOfOldest = (await db.db.selectFrom('jobs').select('id').where('id', 'like', '%-0').limit(1).executeTakeFirstOrThrow()).id;
    const pageBefore = (await request(app.getHttpServer()).get(`/api/v1/jobs/${jobOfOldest}`).set(bearer(BOOTSTRAP_TOKEN)).expect(200))
      .body;
    expect(pageBefore.timelineResolution).toBe('minute');

    // folded up to 25 days ago only: the 40-day-old minutes go, the 20-day-old ones stay although past retention
    const first = await service.maintain(now);
    expect(first.foldedUntil).toBe(Math.floor((now - 25 * DAY) / HOUR) * HOUR);
    const afterFirst = await minuteRows();
    expect(Number(afterFirst.first)).toBeGreaterThanOrEqual(now - 21 * DAY);
    if (dialect === 'postgres') {
      expect(first.minuteRowsDeleted).toBeGreaterThan(0); // from the default partition, in chunks
      expect(first.partitionsCreated.length).toBeGreaterThan(0);
    }

    // everything folded: minutes older than 3 days go (a whole month's partition on PostgreSQL)
    await app.get(RollupService).fold(now + 25 * DAY - HOUR);
    const second = await service.maintain(now);
    if (dialect === 'postgres') expect(second.partitionsDropped.length).toBeGreaterThanOrEqual(1);
    const afterSecond = await minuteRows();
    expect(Number(afterSecond.first)).toBeGreaterThanOrEqual(now - 3 * DAY);
    expect(Number(afterSecond.n)).toBeGreaterThan(0); // two days ago is kept

    // the hours answer for what the minutes no longer can: the same figures, the job's timeline by hour
    expectClose(await usage(oldRange.from, oldRange.to), before);
    const pageAfter = (await request(app.getHttpServer()).get(`/api/v1/jobs/${jobOfOldest}`).set(bearer(BOOTSTRAP_TOKEN)).expect(200)).body;
    expect(pageAfter.timelineResolution).toBe('hour');
    expectClose(pageAfter.energy, pageBefore.energy);
    expect(pageAfter.timeline.reduce((s: number, h: { energyKWh: number }) => s + h.energyKWh, 0)).toBeCloseTo(
      pageBefore.energy.energyKWh,
      9,
    );

    const metrics = (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^wattprint_retention_days\{table="energy_buckets"\} 3$/m);
    expect(metrics).toMatch(/^wattprint_retention_deleted_rows_total\{table="energy_buckets"\} [1-9]/m);
    expect(metrics).toMatch(/^wattprint_rollup_folded_until_seconds \d+/m);
  });

  it('deletes hours past retention from every hourly rollup alike and the daily rows of the days before; what is kept answers as before', async () => {
    const retention = app.get(RetentionRepository);
    const daily = app.get(DailyRollupService);
    const deriveAll = async () => {
      for (let pass = 0; pass < 10 && (await daily.derive()).marked > 0; pass++);
      expect(await db.db.selectFrom('daily_dirty').selectAll().execute()).toEqual([]);
    };
    await deriveAll();
    const cutoff = Math.floor((now - 30 * DAY) / HOUR) * HOUR;
    const kept = { from: cutoff, to: Math.floor((now - 19 * DAY) / HOUR) * HOUR };
    const usage = async () => {
      const answers: unknown[] = [];
      for (const groupBy of ['site', 'node', 'team'])
        answers.push(
          (
            await request(app.getHttpServer())
              .get(
                `/api/v1/usage?groupBy=${groupBy}&bucket=day&from=${new Date(kept.from).toISOString()}&to=${new Date(kept.to).toISOString()}`,
              )
              .set(bearer(BOOTSTRAP_TOKEN))
              .expect(200)
          ).body,
        );
      return answers;
    };
    const before = await usage();
    const days = ['energy_group_daily', 'energy_node_daily', 'energy_job_daily'] as const;
    const firstKeptDay = Math.floor(cutoff / DAY) * DAY;
    const dayRows = async (table: (typeof days)[number], older: boolean) =>
      Number(
        (
          await db.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .where('day_start', older ? '<' : '>=', firstKeptDay)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const olderDays: number[] = [];
    for (const table of days) olderDays.push(await dayRows(table, true));
    expect(olderDays.every((n) => n > 0)).toBe(true);
    const jobsBefore = await db.db.selectFrom('energy_job_total').select('job_id').where('first_day', '<', firstKeptDay).execute();
    expect(jobsBefore.length).toBeGreaterThan(0);
    expect(Object.values(await retention.retireDaysBefore(cutoff))).toEqual(olderDays);
    // each job's total sums its kept days only; a job wholly before them has none
    await expectJobTotalsOfDailyRows(db.db);
    for (const table of days) expect([table, await dayRows(table, true), (await dayRows(table, false)) > 0]).toEqual([table, 0, true]);
    // the day the cutoff falls in sums hours going: marked, read from the hours until derived again
    expect((await db.db.selectFrom('daily_dirty').select('day_start').execute()).map((r) => Number(r.day_start))).toEqual([firstKeptDay]);
    const tables = ['energy_hourly', 'energy_node_hourly', 'energy_site_hourly', 'energy_group_hourly'] as const;
    const count = async (table: (typeof tables)[number], older: boolean) =>
      Number(
        (
          await db.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .where('hour_start', older ? '<' : '>=', cutoff)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const older: number[] = [];
    for (const table of tables) older.push(await count(table, true));
    expect(older.every((n) => n > 0)).toBe(true);
    expect(older[0]).toBeGreaterThan(older[1]); // a row per device and job, against one per node and kind
    const deleted: number[] = [];
    for (const table of tables) deleted.push(await retention.deleteHoursBefore(table, cutoff));
    expect(deleted).toEqual(older);
    for (const table of tables) expect([table, await count(table, true)]).toEqual([table, 0]);
    for (const table of tables) expect([table, (await count(table, false)) > 0]).toEqual([table, true]);
    expectClose(await usage(), before);
    await deriveAll();
    expectClose(await usage(), before);
  });
});
