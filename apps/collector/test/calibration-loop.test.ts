import type { INestApplication } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import { DIALECTS, createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import request from 'supertest';
import { T0, realisticBatch, signedEvent, testAgent } from './support/batches';
import { TestProducer, collectorEnv, freshQueuePrefix, openDatabase, registerAgents, startCollector } from './support/collector-harness';
import { waitFor } from './support/wait-for';
import { BOOTSTRAP_TOKEN, bearer, startApi, type ApiHarness } from './reports-harness';

const A100 = 'nvidia-a100-sxm4-80gb';
const J_PER_KWH = 3.6e6;

const SPEC = {
  name: 'mnist',
  model: {
    input: [28, 28, 1],
    layers: [
      { type: 'conv2d', filters: 32, kernel: 3, activation: 'relu' },
      { type: 'maxpool2d', pool: 2 },
      { type: 'flatten' },
      { type: 'dense', units: 10 },
    ],
  },
  hardware: { profile: A100, count: 1 },
  training: { samples: 60_000, epochs: 12, batchSize: 128 },
  site: { pue: 1.2, intensity: 300 },
};

/**
 * The ledger loop end to end: jobs launched from a forecast go through the real ingest path (signed
 * events and batches on the queues, the worker writing the ledger), the collector refits its
 * calibration from them, and the next forecast of the same spec moves toward what was measured.
 */
describe.each(DIALECTS)('calibration from the ledger on %s', (dialect) => {
  let testDb: TestDatabase;
  let app: INestApplication;
  let producer: TestProducer;
  let db: DatabaseHandle;
  let admin: string;
  let viewerA: string;
  let viewerB: string;
  const alice = testAgent('alice');
  const bob = testAgent('bob');
  const http = () => request(app.getHttpServer());
  // the bootstrap token creates the first admin, which creates the rest
  const token = async (body: Record<string, unknown>, as = admin) =>
    (await http().post('/api/v1/tokens').set(bearer(as)).send(body).expect(201)).body.secret as string;

  /** What gpu0 of realisticBatch draws: 100 W, so a job of S seconds on it measures 100·S J. */
  const SECONDS = [60, 66, 54];
  let firstForecast: { id: string; result: { energyKWh: { p10: number; p50: number; p90: number } } };

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    producer = new TestProducer(freshQueuePrefix());
    app = await startCollector(
      collectorEnv(testDb.url, producer.prefix, {
        WATTPRINT_ROLE: 'all',
        WATTPRINT_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
        WATTPRINT_RATE_LIMIT_PER_MINUTE: '100000',
        WATTPRINT_CALIBRATION_EVERY_MS: '0',
      }),
    );
    await registerAgents(testDb.url, [alice, bob]);
    db = openDatabase(testDb.url);
    admin = await token({ name: 'admin', role: 'admin' }, BOOTSTRAP_TOKEN);
    viewerA = await token({ name: 'team-a', role: 'viewer', team: 'team-a' });
    viewerB = await token({ name: 'team-b', role: 'viewer', team: 'team-b' });

    firstForecast = (await http().post('/api/v1/forecasts').set(bearer(viewerA)).send(SPEC).expect(201)).body;

    // three jobs on alice, launched from the forecast, each S seconds on gpu0
    let seq = 0;
    for (const [k, seconds] of SECONDS.entries()) {
      const jobId = `train-${k}`;
      const start = T0 + k * 200_000;
      await producer.addEvent(
        signedEvent(alice, { type: 'start', jobId, at: start, metadata: { team: 'team-a', forecastId: firstForecast.id } }),
      );
      await producer.addBatch(realisticBatch(alice, { firstSeq: seq, startMs: start, gpus: 1, seconds, jobs: [jobId] }));
      seq += seconds;
      await producer.addEvent(signedEvent(alice, { type: 'end', jobId, at: start + seconds * 1000, exitCode: 0 }));
    }
    // one on bob whose samples went missing (a seq gap inside its span): no observation, whatever it measured
    const gapStart = T0 + 50_000;
    await producer.addEvent(
      signedEvent(bob, { type: 'start', jobId: 'lossy', at: gapStart, metadata: { team: 'team-b', forecastId: firstForecast.id } }),
    );
    await producer.addBatch(realisticBatch(bob, { firstSeq: 0, startMs: gapStart, gpus: 1, seconds: 10, jobs: ['lossy'] }));
    await producer.addBatch(realisticBatch(bob, { firstSeq: 30, startMs: gapStart + 20_000, gpus: 1, seconds: 10, jobs: ['lossy'] }));
    await producer.addEvent(signedEvent(bob, { type: 'end', jobId: 'lossy', at: gapStart + 30_000, exitCode: 0 }));

    await waitFor(
      'every job ended with its samples and the gap noticed',
      async () => {
        const ended = await db.db.selectFrom('jobs').select('id').where('state', '=', 'ended').execute();
        const batches = await db.db.selectFrom('ingested_batches').select('batch_key').execute();
        const gaps = await db.db.selectFrom('seq_gaps').select('node').execute();
        return ended.length === 4 && batches.length === 5 && gaps.length === 1;
      },
      30_000,
    );
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await producer?.dispose();
    await testDb?.drop();
  });

  const measuredKWh = SECONDS.map((s) => (100 * s) / J_PER_KWH);
  const meanMeasured = measuredKWh.reduce((a, b) => a + b, 0) / measuredKWh.length;

  it('has no fit before the first refit, and the forecast says it used none', async () => {
    const res = await http().get('/api/v1/calibration').set(bearer(viewerA)).expect(200);
    expect(res.body).toEqual({ profiles: [], calibration: { version: 2, profiles: {} } });
    expect(firstForecast.result.energyKWh.p50).toBeLessThan(meanMeasured / 2);
    const again = await http().post('/api/v1/forecasts').set(bearer(admin)).send(SPEC).expect(201);
    expect(again.body.calibration).toBeNull();
    expect(again.body.result.calibration).toEqual({ profile: A100, basis: 'none', observations: 0, mape: null });
  });

  it('refits on demand (admins only) from the ended jobs with complete energy', async () => {
    await http().post('/api/v1/calibration/refit').set(bearer(viewerA)).expect(403);
    const res = await http().post('/api/v1/calibration/refit').set(bearer(admin)).expect(200);
    expect(res.body).toEqual({
      fittedAt: expect.any(String),
      jobs: 4,
      observations: 3,
      skipped: { energyMissing: 1, nothingMeasured: 0, unusableSpec: 0 },
      profiles: [A100],
    });
    const view = (await http().get('/api/v1/calibration').set(bearer(viewerB)).expect(200)).body;
    expect(view.profiles).toEqual([
      expect.objectContaining({
        profile: A100,
        observations: 3,
        withDuration: 3,
        mape: expect.any(Number),
        coverage: expect.any(Number),
        coefficients: expect.objectContaining({ alpha: expect.any(Number), beta: expect.any(Number), gamma: expect.any(Number) }),
        fittedAt: res.body.fittedAt,
      }),
    ]);
    expect(view.profiles[0].mape).toBeLessThan(0.2);
    expect(view.calibration.profiles[A100].observations).toBe(3);
  });

  it('prices the next forecast of the profile with the fit, says so, and moves it toward the measurements', async () => {
    const res = await http().post('/api/v1/forecasts').set(bearer(viewerA)).send(SPEC).expect(201);
    expect(res.body.calibration).toEqual({
      source: 'ledger',
      profile: A100,
      observations: 3,
      mape: expect.any(Number),
      fittedAt: expect.any(String),
    });
    expect(res.body.result.calibration).toMatchObject({ profile: A100, basis: 'profile', observations: 3 });
    const before = Math.abs(firstForecast.result.energyKWh.p50 - meanMeasured) / meanMeasured;
    const after = Math.abs(res.body.result.energyKWh.p50 - meanMeasured) / meanMeasured;
    expect(before).toBeGreaterThan(0.5);
    expect(after).toBeLessThan(0.2);
    expect(after).toBeLessThan(before);
    // a profile the ledger has not calibrated stays uncalibrated
    const other = await http()
      .post('/api/v1/forecasts')
      .set(bearer(admin))
      .send({ ...SPEC, hardware: { profile: 'nvidia-h100-sxm5-80gb', count: 1 } })
      .expect(201);
    expect(other.body.calibration).toBeNull();
  });

  it('reports the accuracy of forecasts against measured jobs, by profile and by team, scoped to a viewer’s team', async () => {
    const p = firstForecast.result.energyKWh;
    const expectedMape = measuredKWh.reduce((s, m) => s + Math.abs(p.p50 - m) / m, 0) / measuredKWh.length;
    const expectedCoverage = measuredKWh.filter((m) => m >= p.p10 && m <= p.p90).length / measuredKWh.length;
    const byProfile = (await http().get('/api/v1/forecasts/accuracy?groupBy=profile').set(bearer(admin)).expect(200)).body;
    expect(byProfile.overall.count).toBe(3);
    expect(byProfile.overall.mape).toBeCloseTo(expectedMape, 9);
    expect(byProfile.overall.coverage).toBeCloseTo(expectedCoverage, 9);
    expect(byProfile.groups).toEqual([{ key: A100, count: 3, mape: byProfile.overall.mape, coverage: byProfile.overall.coverage }]);

    const byTeam = (await http().get('/api/v1/forecasts/accuracy').query({ groupBy: 'team' }).set(bearer(viewerA)).expect(200)).body;
    expect(byTeam.groups.map((g: { key: string; count: number }) => [g.key, g.count])).toEqual([['team-a', 3]]);
    // team-b's only job lost samples: nothing to score, and team-a's jobs are not theirs to see
    const teamB = (await http().get('/api/v1/forecasts/accuracy').query({ groupBy: 'team' }).set(bearer(viewerB)).expect(200)).body;
    expect(teamB.overall).toEqual({ count: 0, mape: null, coverage: null });

    const window = (
      await http()
        .get('/api/v1/forecasts/accuracy')
        .query({ from: new Date(T0 + 150_000).toISOString(), to: new Date(T0 + 300_000).toISOString() })
        .set(bearer(admin))
        .expect(200)
    ).body;
    expect(window.overall.count).toBe(1); // train-1 ended at T0 + 266 s; train-0 before, train-2 after
    expect(window.from).toBe(new Date(T0 + 150_000).toISOString());

    // the dashboards' table holds the same outcomes as of the refit
    const outcomes = await db.db.selectFrom('forecast_outcomes').selectAll().orderBy('job_id').execute();
    expect(outcomes.map((o) => [o.job_id, o.profile, o.team])).toEqual([
      ['train-0', A100, 'team-a'],
      ['train-1', A100, 'team-a'],
      ['train-2', A100, 'team-a'],
    ]);
    expect(outcomes.map((o) => o.measured_kwh)).toEqual(measuredKWh.map((m) => expect.closeTo(m, 12)));
  });

  it('answers 400 naming the field for a bad groupBy, an inverted range, NUL and unknown parameters', async () => {
    const bad = await http().get('/api/v1/forecasts/accuracy?groupBy=user').set(bearer(admin)).expect(400);
    expect(bad.body.problems).toEqual([expect.objectContaining({ path: 'groupBy', message: expect.stringContaining('"user"') })]);
    const inverted = await http()
      .get('/api/v1/forecasts/accuracy')
      .query({ from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' })
      .set(bearer(admin))
      .expect(400);
    expect(inverted.body.problems).toEqual([expect.objectContaining({ path: 'to', message: expect.stringContaining('after from') })]);
    const nul = await http().get('/api/v1/forecasts/accuracy').query({ groupBy: 'pro\u0000file' }).set(bearer(admin)).expect(400);
    expect(nul.body.problems[0].path).toBe('groupBy');
    const unknown = await http().get('/api/v1/forecasts/accuracy?colour=red').set(bearer(admin)).expect(400);
    expect(JSON.stringify(unknown.body.problems)).toContain('colour');
    await http().get('/api/v1/forecasts/accuracy').expect(401);
  });

  it('refits on its own every WATTPRINT_CALIBRATION_EVERY_MS', async () => {
    await db.db.deleteFrom('calibration_fits').execute();
    let replica: ApiHarness | undefined;
    try {
      replica = await startApi(dialect, { WATTPRINT_CALIBRATION_EVERY_MS: '100' }, [], testDb);
      const fits = await waitFor('a scheduled refit', async () => {
        const rows = await db.db.selectFrom('calibration_fits').select(['profile', 'observations']).execute();
        return rows.length > 0 ? rows : undefined;
      });
      expect(fits).toEqual([{ profile: A100, observations: 3 }]);
    } finally {
      await replica?.close();
    }
  }, 30_000);

  it('lets two replicas refit at once: both succeed and one fit per profile stands', async () => {
    let replica: ApiHarness | undefined;
    try {
      replica = await startApi(dialect, { WATTPRINT_CALIBRATION_EVERY_MS: '0' }, [], testDb);
      const [one, two] = await Promise.all([
        http().post('/api/v1/calibration/refit').set(bearer(admin)),
        replica.http().post('/api/v1/calibration/refit').set(bearer(admin)),
      ]);
      expect([one.status, two.status]).toEqual([200, 200]);
      const fits = await db.db.selectFrom('calibration_fits').select(['profile', 'observations']).execute();
      expect(fits).toEqual([{ profile: A100, observations: 3 }]);
    } finally {
      await replica?.close();
    }
  }, 30_000);
});
