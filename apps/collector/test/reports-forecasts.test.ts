import { DIALECTS } from '@wattprint/db/testing';
import { forecast } from '@wattprint/estimation';
import { HOUR_MS } from '@wattprint/carbon';
import { type ApiHarness, bearer, createToken, startApi } from './reports-harness';

const START = Date.UTC(2026, 11, 1); // 2026-12-01T00:00:00Z
const HOUR = HOUR_MS;

function mnistSpec(site: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    name: 'mnist-dedicated',
    model: {
      input: [28, 28, 1],
      layers: [
        { type: 'conv2d', filters: 32, kernel: 3, activation: 'relu' },
        { type: 'maxpool2d', pool: 2 },
        { type: 'flatten' },
        { type: 'dropout', rate: 0.5 },
        { type: 'dense', units: 10 },
      ],
    },
    hardware: { profile: 'nvidia-a100-sxm4-80gb', count: 1 },
    training: { samples: 60_000, epochs: 12, batchSize: 128 },
    site,
    ...extra,
  };
}

describe.each(DIALECTS)('forecasts API on %s', (dialect) => {
  let api: ApiHarness;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    api = await startApi(dialect, { WATTPRINT_RATE_LIMIT_PER_MINUTE: '10000' });
    admin = await createToken(api, { name: 'admin', role: 'admin' });
    viewer = await createToken(api, { name: 'team-a', role: 'viewer', team: 'team-a' }, admin);
    // DE: three covered hours (the middle one in two half-hour periods, 100 and 300), then nothing.
    await api.db.db
      .insertInto('grid_intensity')
      .values([
        { region: 'DE', period_start: START, period_end: START + HOUR, g_per_kwh: 400, source: 'test', kind: 'actual', revised_at: START },
        {
          region: 'DE',
          period_start: START + HOUR,
          period_end: START + 1.5 * HOUR,
          g_per_kwh: 100,
          source: 'test',
          kind: 'forecast',
          revised_at: START,
        },
        {
          region: 'DE',
          period_start: START + 1.5 * HOUR,
          period_end: START + 2 * HOUR,
          g_per_kwh: 300,
          source: 'test',
          kind: 'forecast',
          revised_at: START,
        },
        {
          region: 'DE',
          period_start: START + 2 * HOUR,
          period_end: START + 3 * HOUR,
          g_per_kwh: 250,
          source: 'test',
          kind: 'forecast',
          revised_at: START,
        },
      ])
      .execute();
  });
  afterAll(() => api?.close());

  it('runs the estimation model on a spec, stores spec and result, and returns them by id', async () => {
    const spec = mnistSpec({ pue: 1.58, intensity: 380 });
    const res = await api.http().post('/api/v1/forecasts').set(bearer(viewer)).send(spec);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^fc_[0-9a-f]{32}$/),
      createdAt: expect.any(String),
      createdBy: expect.stringMatching(/^tok_/),
      team: 'team-a',
      spec,
      result: forecast(spec),
      calibration: null,
    });
    expect(res.body.result.energyKWh.p50).toBeGreaterThan(0);

    const stored = await api.db.db.selectFrom('forecasts').selectAll().where('id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(JSON.parse(stored.spec)).toEqual(spec);
    expect(stored.energy_kwh_p50).toBe(res.body.result.energyKWh.p50);

    const again = await api.http().get(`/api/v1/forecasts/${res.body.id}`).set(bearer(admin));
    expect(again.status).toBe(200);
    const { calibration: _used, ...kept } = res.body;
    expect(again.body).toEqual(kept);
  });

  it("shows a team viewer its own team's forecasts only: another team's answers 404 (finding 12)", async () => {
    const other = await createToken(api, { name: 'team-b', role: 'viewer', team: 'team-b' }, admin);
    const everyTeam = await createToken(api, { name: 'all', role: 'viewer' }, admin);
    const mine = await api
      .http()
      .post('/api/v1/forecasts')
      .set(bearer(viewer))
      .send(mnistSpec({ pue: 1.2, intensity: 100 }));
    expect(mine.status).toBe(201);
    expect((await api.http().get(`/api/v1/forecasts/${mine.body.id}`).set(bearer(viewer))).status).toBe(200);
    expect((await api.http().get(`/api/v1/forecasts/${mine.body.id}`).set(bearer(everyTeam))).status).toBe(200);
    const refused = await api.http().get(`/api/v1/forecasts/${mine.body.id}`).set(bearer(other));
    expect(refused.status).toBe(404);
    expect(JSON.stringify(refused.body)).not.toContain('energyKWh');
    // an admin's forecast belongs to no team: team viewers do not see it either
    const admins = await api
      .http()
      .post('/api/v1/forecasts')
      .set(bearer(admin))
      .send(mnistSpec({ pue: 1.2, intensity: 100 }));
    expect(admins.body.team).toBeNull();
    expect((await api.http().get(`/api/v1/forecasts/${admins.body.id}`).set(bearer(other))).status).toBe(404);
  });

  it("prices a spec naming a region with the region's stored hourly intensity from its start", async () => {
    const spec = mnistSpec({ pue: 1.2, region: 'DE' }, { start: new Date(START).toISOString() });
    const res = await api.http().post('/api/v1/forecasts').set(bearer(admin)).send(spec);
    expect(res.status).toBe(201);
    // Hour 2 is the time-weighted mean of its two half hours: (100 + 300) / 2.
    expect(res.body.result).toEqual(forecast(spec, { intensity: { DE: { startMs: START, gPerKWh: [400, 200, 250] } } }));
    expect(res.body.result.co2eqKg.p50).not.toBe(forecast(mnistSpec({ pue: 1.2, intensity: 380 })).co2eqKg.p50);
  });

  it('answers 400 naming each bad path of a spec, and site.region when no series is stored for it', async () => {
    const bad = await api
      .http()
      .post('/api/v1/forecasts')
      .set(bearer(admin))
      .send({ ...mnistSpec({ pue: 1.2, intensity: 300 }), hardware: { profile: 'nvidia-quantum-9000', count: 1 }, colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_request');
    expect(bad.body.problems.map((p: { path: string }) => p.path)).toContain('colour');

    const profile = await api
      .http()
      .post('/api/v1/forecasts')
      .set(bearer(admin))
      .send(mnistSpec({ pue: 1.2, intensity: 300 }, { hardware: { profile: 'nvidia-quantum-9000', count: 1 } }));
    expect(profile.status).toBe(400);
    expect(profile.body.problems).toEqual([{ path: 'hardware.profile', message: expect.stringContaining('"nvidia-quantum-9000"') }]);

    const region = await api
      .http()
      .post('/api/v1/forecasts')
      .set(bearer(admin))
      .send(mnistSpec({ region: 'PL' }, { start: new Date(START).toISOString() }));
    expect(region.status).toBe(400);
    expect(region.body.problems).toEqual([{ path: 'site.region', message: expect.stringContaining('"PL"') }]);
    expect(await api.db.db.selectFrom('forecasts').select('id').where('spec', 'like', '%quantum%').execute()).toEqual([]);
  });

  it('shows a job launched from a forecast beside its measured energy', async () => {
    const spec = mnistSpec({ pue: 1.2, intensity: 300 });
    const created = (await api.http().post('/api/v1/forecasts').set(bearer(admin)).send(spec)).body;
    const p = created.result.energyKWh as { p10: number; p50: number; p90: number };
    const measuredJ = p.p50 * 1.1 * 3.6e6;
    await api.db.db
      .insertInto('jobs')
      .values({
        id: 'launched',
        state: 'ended',
        inferred: 0,
        name: null,
        user: 'alice',
        team: 'team-a',
        project: null,
        cluster: null,
        scheduler: null,
        scheduler_job_id: null,
        labels: null,
        forecast_id: created.id,
        started_at: START,
        ended_at: START + 60_000,
        exit_code: 0,
        first_seen_at: START,
        last_seen_at: START + 60_000,
      })
      .execute();
    await api.db.db
      .insertInto('energy_buckets')
      .values({
        job_id: 'launched',
        node: 'n9',
        device: 'gpu0',
        device_kind: 'gpu',
        minute_start: START,
        hour_start: START,
        joules: measuredJ,
        samples: 60,
        duration_ms: 60_000,
        peak_power_w: null,
      })
      .execute();

    const job = await api.http().get('/api/v1/jobs/launched').set(bearer(viewer));
    expect(job.status).toBe(200);
    expect(job.body.forecast).toEqual({
      id: created.id,
      found: true,
      createdAt: created.createdAt,
      energyKWh: p,
      measuredOverForecastP50: expect.closeTo(1.1, 9),
      withinP10P90: p.p10 <= p.p50 * 1.1 && p.p50 * 1.1 <= p.p90,
    });
    expect(job.body.energy.energyKWh).toBeCloseTo(p.p50 * 1.1, 9);
  });

  it('answers 404 for an unknown forecast and 403 to an agent token', async () => {
    const missing = await api.http().get('/api/v1/forecasts/fc_nope').set(bearer(admin));
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('no forecast with id "fc_nope"');
    await api.http().post('/api/v1/agents').set(bearer(admin)).send({ id: 'ag-f', node: 'nf' }).expect(201);
    const agent = await createToken(api, { name: 'agent', role: 'agent', agentId: 'ag-f' }, admin);
    expect((await api.http().post('/api/v1/forecasts').set(bearer(agent)).send(mnistSpec({}))).status).toBe(403);
  });
});
