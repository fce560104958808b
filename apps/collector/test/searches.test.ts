import type { NewRow } from '@wattprint/db';
import { DIALECTS } from '@wattprint/db/testing';
import { forecast } from '@wattprint/estimation';
import { SearchesModule } from '../src/searches/searches.module';
import { type ApiHarness, bearer, createToken, startApi } from './reports-harness';

const T = Date.UTC(2026, 10, 20, 8);
const MIN = 60_000;

const SPEC = {
  name: 'sweep',
  model: {
    input: [28, 28, 1],
    layers: [{ type: 'flatten' }, { type: 'dense', units: '$units', activation: 'relu' }, { type: 'dense', units: 10 }],
  },
  hardware: { profile: 'nvidia-a100-sxm4-80gb', count: 1 },
  training: { samples: 60_000, epochs: 5, batchSize: 128 },
  search: { strategy: 'random', trials: 4, seed: 1, space: { units: [32, 64] } },
};

function trialJob(id: string, over: Partial<NewRow<'jobs'>> & { search?: string; trial?: number } = {}): NewRow<'jobs'> {
  const { search = 'sweep-7', trial, ...rest } = over;
  const labels: Record<string, string> = { 'wattprint.search': search };
  if (trial !== undefined) labels['wattprint.trial'] = String(trial);
  return {
    id,
    state: 'ended',
    inferred: 0,
    name: id,
    user: 'alice',
    team: 'team-a',
    project: null,
    cluster: null,
    scheduler: 'wrapper',
    scheduler_job_id: null,
    labels: JSON.stringify(labels),
    forecast_id: null,
    started_at: T,
    ended_at: T + 10 * MIN,
    exit_code: 0,
    first_seen_at: T,
    last_seen_at: T + 10 * MIN,
    ...rest,
  };
}

function bucket(jobId: string, node: string, minute: number, joules: number): NewRow<'energy_buckets'> {
  const minuteStart = T + minute * MIN;
  return {
    job_id: jobId,
    node,
    device: 'gpu0',
    device_kind: 'gpu',
    minute_start: minuteStart,
    hour_start: minuteStart - (minuteStart % 3_600_000),
    joules,
    samples: 60,
    duration_ms: 60_000,
    peak_power_w: null,
  };
}

describe.each(DIALECTS)('searches API on %s', (dialect) => {
  let api: ApiHarness;
  let admin: string;
  let viewerA: string;
  let viewerB: string;

  beforeAll(async () => {
    api = await startApi(dialect, { WATTPRINT_RATE_LIMIT_PER_MINUTE: '10000', WATTPRINT_CALIBRATION_EVERY_MS: '0' }, [SearchesModule]);
    admin = await createToken(api, { name: 'admin', role: 'admin' });
    viewerA = await createToken(api, { name: 'team-a', role: 'viewer', team: 'team-a' }, admin);
    viewerB = await createToken(api, { name: 'team-b', role: 'viewer', team: 'team-b' }, admin);
    await api.db.db
      .insertInto('jobs')
      .values([
        trialJob('t-0', { trial: 0 }),
        trialJob('t-1', { trial: 1, started_at: T + 20 * MIN, ended_at: T + 30 * MIN, first_seen_at: T + 20 * MIN }),
        trialJob('t-2', { trial: 2, state: 'running', ended_at: null, started_at: T + 40 * MIN, first_seen_at: T + 40 * MIN }),
        // another search whose id only differs where LIKE sees a wildcard: never one of sweep-7's trials
        trialJob('other', { search: 'sweep_7', trial: 0 }),
        // a trial of team-b: team-a's viewer does not see it
        trialJob('t-b', { search: 'sweep-b', team: 'team-b' }),
      ])
      .execute();
    await api.db.db
      .insertInto('energy_buckets')
      .values([
        bucket('t-0', 'n1', 0, 3_600_000),
        bucket('t-0', 'n1', 1, 1_800_000),
        bucket('t-1', 'n2', 20, 7_200_000),
        bucket('t-2', 'n1', 40, 900_000),
        bucket('other', 'n3', 0, 99_000_000),
        bucket('t-b', 'n4', 0, 1_000_000),
      ])
      .execute();
  });
  afterAll(() => api?.close());

  it('stores a search spec with its CT forecast from libs/estimation', async () => {
    const res = await api.http().post('/api/v1/searches').set(bearer(viewerA)).send({ id: 'sweep-7', spec: SPEC });
    expect(res.status).toBe(201);
    const f = forecast(SPEC);
    const ratio = (q: number) => q / f.energyKWh.p50;
    expect(res.body).toMatchObject({
      id: 'sweep-7',
      name: 'sweep',
      team: 'team-a',
      spec: SPEC,
      trials: { planned: 4, running: 0, ended: 0, unknown: 0, items: [] },
      forecast: { energyKWh: f.energyKWh },
      calibration: null,
    });
    expect(res.body.forecast.searchEnergyKWh.p50).toBe(f.phases.search.energyKWh);
    expect(res.body.forecast.searchEnergyKWh.p10).toBeCloseTo(f.phases.search.energyKWh * ratio(f.energyKWh.p10), 15);
    expect(res.body.forecast.searchEnergyKWh.p90).toBeCloseTo(f.phases.search.energyKWh * ratio(f.energyKWh.p90), 15);
    // the id is taken now
    const again = await api.http().post('/api/v1/searches').set(bearer(admin)).send({ id: 'sweep-7', spec: SPEC });
    expect(again.status).toBe(409);
    const generated = await api.http().post('/api/v1/searches').set(bearer(admin)).send({ spec: SPEC });
    expect(generated.status).toBe(201);
    expect(generated.body.id).toMatch(/^srch_[0-9a-f]{32}$/);
  });

  it('groups the trials, sums the ended ones exactly as the jobs API measures them, and projects the final CT', async () => {
    const res = await api.http().get('/api/v1/searches/sweep-7').set(bearer(viewerA));
    expect(res.status).toBe(200);
    const { trials, measured, projection } = res.body;
    expect(trials.items.map((t: { jobId: string; trial: number; state: string }) => [t.jobId, t.trial, t.state])).toEqual([
      ['t-0', 0, 'ended'],
      ['t-1', 1, 'ended'],
      ['t-2', 2, 'running'],
    ]);
    expect(trials).toMatchObject({ planned: 4, running: 1, ended: 2, unknown: 0 });
    const jobKWh = async (id: string) => (await api.http().get(`/api/v1/jobs/${id}`).set(bearer(admin))).body.energy.energyKWh as number;
    const ended = [await jobKWh('t-0'), await jobKWh('t-1')];
    expect(ended).toEqual([1.5, 2]);
    expect(measured.endedKWh).toBe(ended[0] + ended[1]);
    expect(measured.runningKWh).toBe(await jobKWh('t-2'));
    // mean 1.75 kWh per ended trial × 4 trials; s = √0.125, r = 2 trials to come, n = 2
    expect(projection.energyKWh.p50).toBe(7);
    const half = 1.2815515655446004 * Math.sqrt(0.125) * Math.sqrt(2 + 4 / 2);
    expect(projection.energyKWh.p10).toBeCloseTo(7 - half, 12);
    expect(projection.energyKWh.p90).toBeCloseTo(7 + half, 12);
    expect(projection).toMatchObject({
      basedOnTrials: 2,
      trials: 4,
      method: expect.stringContaining('mean measured energy per ended trial'),
    });
  });

  it('flags a trial whose samples went missing and leaves it out of the projection, not out of the CT so far', async () => {
    await api.db.db
      .insertInto('seq_gaps')
      .values({
        agent_id: 'ag',
        boot_id: 'b',
        node: 'n2',
        from_seq: 5,
        to_seq: 9,
        from_t: T + 25 * MIN,
        to_t: T + 26 * MIN,
        detected_at: T + 40 * MIN,
      })
      .execute();
    try {
      const res = (await api.http().get('/api/v1/searches/sweep-7').set(bearer(admin))).body;
      expect(res.trials.items.find((t: { jobId: string }) => t.jobId === 't-1').energyMissing).toBe(true);
      expect(res.measured.endedKWh).toBe(3.5);
      expect(res.projection).toMatchObject({ basedOnTrials: 1, energyKWh: { p10: null, p50: 6, p90: null } });
    } finally {
      await api.db.db.deleteFrom('seq_gaps').where('agent_id', '=', 'ag').execute();
    }
  });

  it('scopes searches to a viewer’s team: another team’s search, or a search of none of its trials, answers 404', async () => {
    const refused = await api.http().get('/api/v1/searches/sweep-7').set(bearer(viewerB));
    expect(refused.status).toBe(404);
    expect(JSON.stringify(refused.body)).not.toContain('energyKWh');
    // trials labelled with an id no search was stored under still show, as one thing, to those who may see them
    const unregistered = await api.http().get('/api/v1/searches/sweep-b').set(bearer(viewerB));
    expect(unregistered.status).toBe(200);
    expect(unregistered.body).toMatchObject({
      id: 'sweep-b',
      spec: null,
      forecast: null,
      projection: null,
      trials: { planned: null, ended: 1 },
    });
    expect((await api.http().get('/api/v1/searches/sweep-b').set(bearer(viewerA))).status).toBe(404);
    expect((await api.http().get('/api/v1/searches/nothing-here').set(bearer(admin))).status).toBe(404);
  });

  it('answers 400 naming the field for hostile input', async () => {
    const nul = await api.http().get('/api/v1/searches/a%00b').set(bearer(admin));
    expect(nul.status).toBe(400);
    const long = await api
      .http()
      .get(`/api/v1/searches/${'x'.repeat(129)}`)
      .set(bearer(admin));
    expect(long.status).toBe(400);
    const noSearch = await api
      .http()
      .post('/api/v1/searches')
      .set(bearer(admin))
      .send({ spec: { ...SPEC, search: undefined } });
    expect(noSearch.status).toBe(400);
    expect(noSearch.body.problems).toEqual([{ path: 'spec.search', message: expect.stringContaining('expected a search section') }]);
    const badSpec = await api
      .http()
      .post('/api/v1/searches')
      .set(bearer(admin))
      .send({ spec: { ...SPEC, hardware: { profile: 'nvidia-quantum-9000' } } });
    expect(badSpec.status).toBe(400);
    expect(badSpec.body.problems.map((p: { path: string }) => p.path)).toContain('spec.hardware.profile');
    const badId = await api.http().post('/api/v1/searches').set(bearer(admin)).send({ id: 'bad id\u0000', spec: SPEC, colour: 'red' });
    expect(badId.status).toBe(400);
    expect(badId.body.problems.map((p: { path: string }) => p.path).sort()).toEqual(['colour', 'id']);
    const huge = await api
      .http()
      .post('/api/v1/searches')
      .set(bearer(admin))
      .send({ spec: { ...SPEC, search: { ...SPEC.search, trials: 1e300 } } });
    expect(huge.status).toBe(400);
    // a grid of 100^12 points: fine to forecast, too many trials to plan
    const space = Object.fromEntries(
      Array.from({ length: 12 }, (_, k) => [k === 0 ? 'units' : `v${k}`, Array.from({ length: 100 }, (_, i) => i + 1)]),
    );
    const grid = await api
      .http()
      .post('/api/v1/searches')
      .set(bearer(admin))
      .send({ spec: { ...SPEC, search: { strategy: 'grid', space } } });
    expect(grid.status).toBe(400);
    expect(grid.body.problems).toEqual([{ path: 'spec.search', message: expect.stringContaining('expected at most 1000000') }]);
    expect(await api.db.db.selectFrom('searches').select('id').execute()).toHaveLength(2);
  });
});
