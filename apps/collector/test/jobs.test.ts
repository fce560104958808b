import { DIALECTS } from '@wattprint/db/testing';
import type { NewRow } from '@wattprint/db';
import { HOUR_MS, MINUTE_MS, yearlyAverage } from '@wattprint/carbon';
import { type ApiHarness, bearer, createToken, startApi } from './reports-harness';

const H0 = Date.UTC(2026, 10, 2, 10); // 2026-11-02T10:00:00Z
const H1 = H0 + HOUR_MS;
const MIN = MINUTE_MS;

/**
 * The carbon facts are seeded so every figure below can be checked with a pencil: node n1 sits in
 * site s1 (region DE, PUE 1.5) whose series says 400 g/kWh in H0 and 200 g/kWh in H1; node n2 sits
 * in site s2 (region FR, PUE 1.2) with no series, so its hours use FR's shipped yearly average and
 * are flagged estimated.
 */
const FR_YEARLY = yearlyAverage('FR').gPerKwh;

function job(id: string, over: Partial<NewRow<'jobs'>> = {}): NewRow<'jobs'> {
  return {
    id,
    state: 'ended',
    inferred: 0,
    name: `train ${id}`,
    user: 'alice',
    team: 'team-a',
    project: 'p1',
    cluster: 'c1',
    scheduler: 'slurm',
    scheduler_job_id: null,
    labels: null,
    forecast_id: null,
    started_at: H0,
    ended_at: H0 + 10 * MIN,
    exit_code: 0,
    first_seen_at: H0,
    last_seen_at: H0 + 10 * MIN,
    ...over,
  };
}

function bucket(
  jobId: string,
  node: string,
  device: string,
  kind: 'gpu' | 'cpu' | 'dram',
  minuteStart: number,
  joules: number,
  durationMs: number,
  peak: number | null = null,
): NewRow<'energy_buckets'> {
  return {
    job_id: jobId,
    node,
    device,
    device_kind: kind,
    minute_start: minuteStart,
    hour_start: minuteStart - (minuteStart % HOUR_MS),
    joules,
    samples: durationMs / 1000,
    duration_ms: durationMs,
    peak_power_w: peak,
  };
}

describe.each(DIALECTS)('jobs API on %s', (dialect) => {
  let api: ApiHarness;
  let admin: string;
  let viewerA: string;
  let viewerAll: string;
  /** The 24 seeded paging jobs plus the two detailed ones, in the list's order. */
  let expectedOrder: string[];

  beforeAll(async () => {
    api = await startApi(dialect, { WATTPRINT_RATE_LIMIT_PER_MINUTE: '10000' });
    admin = await createToken(api, { name: 'admin', role: 'admin' });
    viewerA = await createToken(api, { name: 'team-a', role: 'viewer', team: 'team-a' }, admin);
    viewerAll = await createToken(api, { name: 'everyone', role: 'viewer' }, admin);

    const rows: NewRow<'jobs'>[] = [
      job('j-a1', {
        started_at: H0 + 5 * MIN,
        ended_at: H1 + 2 * MIN,
        first_seen_at: H0 + 5 * MIN,
        last_seen_at: H1 + 2 * MIN,
        forecast_id: 'fc-1',
        labels: JSON.stringify({ model: 'resnet50' }),
        scheduler_job_id: '4242',
      }),
      job('j-b1', { team: 'team-b', user: 'bob', project: 'p2', cluster: 'c2', first_seen_at: H0 + 5 * MIN }),
    ];
    // 24 more jobs, three to a first_seen_at, so paging must break ties by id.
    for (let i = 0; i < 24; i++) {
      const t = H0 - (Math.floor(i / 3) + 1) * HOUR_MS;
      rows.push(
        job(`p-${String(i).padStart(2, '0')}`, {
          first_seen_at: t,
          started_at: t,
          last_seen_at: t + 30 * MIN,
          ended_at: i % 4 === 0 ? null : t + 30 * MIN,
          state: i % 4 === 0 ? 'running' : 'ended',
          team: i % 2 === 0 ? 'team-a' : 'team-b',
          user: i % 3 === 0 ? 'carol' : 'dave',
          project: `proj-${i % 5}`,
          cluster: i < 12 ? 'east' : 'west',
        }),
      );
    }
    await api.db.db.insertInto('jobs').values(rows).execute();
    expectedOrder = [...rows].sort((a, b) => b.first_seen_at - a.first_seen_at || (a.id < b.id ? 1 : -1)).map((r) => r.id);

    await api.db.db
      .insertInto('energy_buckets')
      .values([
        bucket('j-a1', 'n1', 'gpu0', 'gpu', H0 + 59 * MIN, 3.6e6, 60_000, 300),
        bucket('j-a1', 'n1', 'gpu0', 'gpu', H1, 1.8e6, 60_000, 250),
        bucket('j-a1', 'n1', 'cpu0', 'cpu', H0 + 59 * MIN, 0.36e6, 60_000),
        bucket('j-a1', 'n2', 'gpu1', 'gpu', H1 + MIN, 7.2e6, 30_000, 410),
        bucket('j-b1', 'n1', 'gpu1', 'gpu', H0 + 6 * MIN, 1e6, 60_000),
        bucket('', 'n1', 'gpu3', 'gpu', H0 + 6 * MIN, 0.5e6, 60_000),
      ])
      .execute();
    await api.db.db
      .insertInto('seq_gaps')
      .values([
        {
          agent_id: 'ag1',
          boot_id: 'b1',
          node: 'n1',
          from_seq: 100,
          to_seq: 159,
          from_t: H0 + 30 * MIN,
          to_t: H0 + 31 * MIN,
          detected_at: H1,
        },
        {
          agent_id: 'ag1',
          boot_id: 'b1',
          node: 'n1',
          from_seq: 900,
          to_seq: 910,
          from_t: H1 + 3 * HOUR_MS,
          to_t: H1 + 3 * HOUR_MS + MIN,
          detected_at: H1,
        },
        { agent_id: 'ag3', boot_id: 'b9', node: 'n3', from_seq: 1, to_seq: 5, from_t: H0 + 30 * MIN, to_t: H0 + 31 * MIN, detected_at: H1 },
      ])
      .execute();
    await api.db.db
      .insertInto('sites')
      .values([
        { id: 's1', name: 'Frankfurt', region: 'DE', created_at: 0 },
        { id: 's2', name: 'Paris', region: 'FR', created_at: 0 },
      ])
      .execute();
    await api.db.db
      .insertInto('site_pue')
      .values([
        { site_id: 's1', valid_from: 0, pue: 1.5 },
        { site_id: 's2', valid_from: 0, pue: 1.2 },
      ])
      .execute();
    await api.db.db
      .insertInto('nodes')
      .values([
        { name: 'n1', site_id: 's1' },
        { name: 'n2', site_id: 's2' },
      ])
      .execute();
    await api.db.db
      .insertInto('grid_intensity')
      .values([
        { region: 'DE', period_start: H0, period_end: H1, g_per_kwh: 400, source: 'test', kind: 'actual', revised_at: H1 },
        { region: 'DE', period_start: H1, period_end: H1 + HOUR_MS, g_per_kwh: 200, source: 'test', kind: 'actual', revised_at: H1 },
      ])
      .execute();
    await api.db.db
      .insertInto('forecasts')
      .values({
        id: 'fc-1',
        created_at: H0 - MIN,
        created_by: null,
        spec: '{}',
        energy_kwh_p50: 4,
        result: JSON.stringify({ energyKWh: { p10: 3, p50: 4, p90: 5 } }),
      })
      .execute();
  });
  afterAll(() => api?.close());

  async function allPages(token: string, query: Record<string, string | number>, limit: number): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { jobs: Array<{ id: string }>; nextCursor: string | null } } = await api
        .http()
        .get('/api/v1/jobs')
        .query({ ...query, limit, ...(cursor ? { cursor } : {}) })
        .set(bearer(token));
      expect(res.status).toBe(200);
      expect(res.body.jobs.length).toBeLessThanOrEqual(limit);
      ids.push(...res.body.jobs.map((j) => j.id));
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    return ids;
  }

  it('pages through every job once, newest first, with ties broken by id', async () => {
    const ids = await allPages(admin, {}, 5);
    expect(ids).toEqual(expectedOrder);
    expect(new Set(ids).size).toBe(26);
    expect(await allPages(admin, {}, 26)).toEqual(expectedOrder);
    expect(await allPages(admin, {}, 500)).toEqual(expectedOrder);
  });

  it('filters by user, team, project, cluster, state and time range, also across pages', async () => {
    const seeded = await api.db.db.selectFrom('jobs').selectAll().execute();
    const expectIds = (pred: (j: (typeof seeded)[number]) => boolean) =>
      expectedOrder.filter((id) => pred(seeded.find((j) => j.id === id)!));
    expect(await allPages(admin, { user: 'carol' }, 3)).toEqual(expectIds((j) => j.user === 'carol'));
    expect(await allPages(admin, { team: 'team-b', cluster: 'west' }, 2)).toEqual(
      expectIds((j) => j.team === 'team-b' && j.cluster === 'west'),
    );
    expect(await allPages(admin, { project: 'proj-3' }, 2)).toEqual(expectIds((j) => j.project === 'proj-3'));
    const running = await allPages(admin, { state: 'running' }, 4);
    expect(running).toEqual(
      ['p-00', 'p-04', 'p-08', 'p-12', 'p-16', 'p-20'].sort((a, b) => expectedOrder.indexOf(a) - expectedOrder.indexOf(b)),
    );
    // Jobs overlapping [H0 - 2h, H0 - 1h): the three started at H0-2h (span 30 min); the ones at H0-1h start at `to`, excluded.
    const from = new Date(H0 - 2 * HOUR_MS).toISOString();
    const to = new Date(H0 - HOUR_MS).toISOString();
    expect(await allPages(admin, { from, to }, 2)).toEqual(['p-05', 'p-04', 'p-03']);
  });

  it('answers 400 naming each bad query field and a forged cursor', async () => {
    const res = await api
      .http()
      .get('/api/v1/jobs')
      .query({ state: 'done', limit: 0, from: 'yesterday', colour: 'red' })
      .set(bearer(admin));
    expect(res.status).toBe(400);
    const paths = res.body.problems.map((p: { path: string }) => p.path).sort();
    expect(paths).toEqual(['colour', 'from', 'limit', 'state']);
    expect(res.body.problems.find((p: { path: string }) => p.path === 'from').message).toContain('"yesterday"');
    const cursor = await api.http().get('/api/v1/jobs').query({ cursor: 'not-a-cursor' }).set(bearer(admin));
    expect(cursor.status).toBe(400);
    expect(cursor.body.problems).toEqual([{ path: 'cursor', message: expect.stringContaining('not-a-cursor') }]);
  });

  it('shows a team viewer only its team: list, detail 404, filters cannot widen it', async () => {
    const seen = await allPages(viewerA, {}, 7);
    const seeded = await api.db.db.selectFrom('jobs').select(['id', 'team']).execute();
    expect(seen).toEqual(expectedOrder.filter((id) => seeded.find((j) => j.id === id)!.team === 'team-a'));
    expect(await allPages(viewerA, { team: 'team-b' }, 7)).toEqual([]);
    const other = await api.http().get('/api/v1/jobs/j-b1').set(bearer(viewerA));
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ statusCode: 404, error: 'not_found', message: 'no job with id "j-b1"' });
    expect((await api.http().get('/api/v1/jobs/j-b1').set(bearer(viewerAll))).status).toBe(200);
    expect((await api.http().get('/api/v1/jobs/j-a1').set(bearer(viewerA))).status).toBe(200);
    expect((await api.http().get('/api/v1/jobs/nope').set(bearer(admin))).status).toBe(404);
  });

  it('gives one job its energy, facility energy, CO2eq, breakdowns, timeline, gaps and forecast, computed by hand', async () => {
    const res = await api.http().get('/api/v1/jobs/j-a1').set(bearer(viewerA));
    expect(res.status).toBe(200);
    const d = res.body;
    expect(d.job).toMatchObject({
      id: 'j-a1',
      team: 'team-a',
      labels: { model: 'resnet50' },
      schedulerJobId: '4242',
      forecastId: 'fc-1',
      startedAt: new Date(H0 + 5 * MIN).toISOString(),
    });
    // IT: 1 + 0.5 + 0.1 + 2 kWh. Facility: n1 H0 1.1×1.5 + n1 H1 0.5×1.5 + n2 H1 2×1.2 = 1.65 + 0.75 + 2.4.
    // CO2eq: 1.65×400 + 0.75×200 + 2.4×FR = 660 + 150 + 2.4×FR g. GPU-hours: (60 + 60 + 30) s / 3600.
    expect(d.energy.energyKWh).toBeCloseTo(3.6, 12);
    expect(d.energy.facilityEnergyKWh).toBeCloseTo(4.8, 12);
    expect(d.energy.co2eqKg).toBeCloseTo((810 + 2.4 * FR_YEARLY) / 1000, 12);
    expect(d.energy.gpuHours).toBeCloseTo(150 / 3600, 12);
    expect(d.energy.samples).toBe(210);
    expect(d.energy.estimatedHours).toEqual([new Date(H1).toISOString()]);

    expect(d.nodes.map((n: { node: string }) => n.node)).toEqual(['n1', 'n2']);
    const [n1, n2] = d.nodes;
    expect(n1.energyKWh).toBeCloseTo(1.6, 12);
    expect(n1.facilityEnergyKWh).toBeCloseTo(2.4, 12);
    expect(n1.co2eqKg).toBeCloseTo(0.81, 12);
    expect(n1.gpuHours).toBeCloseTo(120 / 3600, 12);
    const cpu0 = n1.devices.find((x: { device: string }) => x.device === 'cpu0');
    const gpu0 = n1.devices.find((x: { device: string }) => x.device === 'gpu0');
    expect(cpu0).toMatchObject({ kind: 'cpu', gpuHours: 0, peakPowerW: null });
    expect(cpu0.co2eqKg).toBeCloseTo(0.06, 12);
    expect(gpu0.kind).toBe('gpu');
    expect(gpu0.energyKWh).toBeCloseTo(1.5, 12);
    expect(gpu0.co2eqKg).toBeCloseTo(0.75, 12);
    expect(gpu0.peakPowerW).toBe(300);
    expect(n2.co2eqKg).toBeCloseTo((2.4 * FR_YEARLY) / 1000, 12);
    expect(n2.devices).toEqual([
      {
        device: 'gpu1',
        kind: 'gpu',
        energyKWh: 2,
        facilityEnergyKWh: expect.closeTo(2.4, 12),
        co2eqKg: expect.closeTo((2.4 * FR_YEARLY) / 1000, 12),
        gpuHours: expect.closeTo(30 / 3600, 12),
        peakPowerW: 410,
      },
    ]);

    expect(d.timeline).toEqual([
      {
        minute: new Date(H0 + 59 * MIN).toISOString(),
        energyKWh: expect.closeTo(1.1, 12),
        meanPowerW: expect.closeTo(66_000, 6),
        samples: 120,
      },
      { minute: new Date(H1).toISOString(), energyKWh: 0.5, meanPowerW: 30_000, samples: 60 },
      { minute: new Date(H1 + MIN).toISOString(), energyKWh: 2, meanPowerW: 120_000, samples: 30 },
    ]);

    // Only the n1 gap inside the job's span: the later n1 gap and the n3 gap are not the job's.
    expect(d.gaps).toEqual({
      energyMissing: true,
      items: [
        {
          node: 'n1',
          agentId: 'ag1',
          bootId: 'b1',
          fromSeq: 100,
          toSeq: 159,
          missingSamples: 60,
          from: new Date(H0 + 30 * MIN).toISOString(),
          to: new Date(H0 + 31 * MIN).toISOString(),
        },
      ],
    });
    expect(d.forecast).toEqual({
      id: 'fc-1',
      found: true,
      createdAt: new Date(H0 - MIN).toISOString(),
      energyKWh: { p10: 3, p50: 4, p90: 5 },
      measuredOverForecastP50: expect.closeTo(0.9, 12),
      withinP10P90: true,
    });
  });

  it('puts energy and emissions on each listed job, and exports the list as CSV', async () => {
    const page = await api.http().get('/api/v1/jobs').query({ team: 'team-a', cluster: 'c1' }).set(bearer(admin));
    expect(page.body.jobs).toHaveLength(1);
    expect(page.body.jobs[0]).toMatchObject({
      id: 'j-a1',
      energyKWh: expect.closeTo(3.6, 12),
      facilityEnergyKWh: expect.closeTo(4.8, 12),
      co2eqKg: expect.closeTo((810 + 2.4 * FR_YEARLY) / 1000, 12),
      estimated: true,
    });

    const csv = await api
      .http()
      .get('/api/v1/jobs')
      .query({ from: new Date(H0).toISOString(), to: new Date(H1 + HOUR_MS).toISOString(), format: 'csv' })
      .set(bearer(admin));
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,name,user,team,project,cluster,state,started_at,ended_at,energy_kwh,facility_energy_kwh,co2eq_kg,gpu_hours,estimated,forecast_id',
    );
    expect(lines).toHaveLength(3);
    const a1 = lines.find((l) => l.startsWith('j-a1,'))!.split(',');
    expect(a1.slice(0, 9)).toEqual([
      'j-a1',
      'train j-a1',
      'alice',
      'team-a',
      'p1',
      'c1',
      'ended',
      new Date(H0 + 5 * MIN).toISOString(),
      new Date(H1 + 2 * MIN).toISOString(),
    ]);
    expect(Number(a1[9])).toBeCloseTo(3.6, 12);
    expect(Number(a1[11])).toBeCloseTo((810 + 2.4 * FR_YEARLY) / 1000, 12);
    expect(a1.slice(13)).toEqual(['true', 'fc-1']);
    expect(lines.find((l) => l.startsWith('j-b1,'))).toContain(',team-b,');

    // Accept: text/csv asks for the same; the export holds every page, and a viewer's export is scoped.
    const byAccept = await api.http().get('/api/v1/jobs').query({ limit: 2 }).set(bearer(viewerA)).set('Accept', 'text/csv');
    const exported = byAccept.text
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(',')[0]);
    const seeded = await api.db.db.selectFrom('jobs').select(['id', 'team']).execute();
    expect(exported).toEqual(expectedOrder.filter((id) => seeded.find((j) => j.id === id)!.team === 'team-a'));
  });
});
