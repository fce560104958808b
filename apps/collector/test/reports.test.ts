import type { NewRow } from '@wattprint/db';
import { DIALECTS } from '@wattprint/db/testing';
import { HOUR_MS, MINUTE_MS, yearlyAverage } from '@wattprint/carbon';
import { type ApiHarness, bearer, createToken, startApi } from './reports-harness';

const DAY1 = Date.UTC(2026, 10, 2); // 2026-11-02T00:00:00Z
const H0 = DAY1 + 10 * HOUR_MS;
const H1 = H0 + HOUR_MS;
const D2 = H0 + 86_400_000; // the next day, 10:00
const MIN = MINUTE_MS;
const FR = yearlyAverage('FR').gPerKwh;
const DE_YEARLY = yearlyAverage('DE').gPerKwh;

const iso = (t: number) => new Date(t).toISOString();

function bucket(
  jobId: string,
  node: string,
  device: string,
  kind: 'gpu' | 'cpu',
  minuteStart: number,
  joules: number,
  durationMs: number,
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
    peak_power_w: null,
  };
}

function job(id: string, team: string, user: string, project: string, cluster: string): NewRow<'jobs'> {
  return {
    id,
    state: 'ended',
    inferred: 0,
    name: id,
    user,
    team,
    project,
    cluster,
    scheduler: null,
    scheduler_job_id: null,
    labels: null,
    forecast_id: null,
    started_at: H0,
    ended_at: D2 + MIN,
    exit_code: 0,
    first_seen_at: H0,
    last_seen_at: D2 + MIN,
  };
}

/**
 * Seeded facts, each figure checked by hand below. Node n1: site s1, region DE, PUE 1.5, series
 * 400 g/kWh in H0 and 200 in H1, none on day 2 (DE yearly average, estimated). Node n2: site s2,
 * region FR, PUE 1.2, no series (FR yearly average, estimated).
 *
 *   ja team-a: n1 gpu0 H0 1 kWh (60 s), n1 cpu0 H0 0.1 kWh, n1 gpu0 D2 1 kWh (60 s)
 *   jb team-b: n1 gpu1 H1 0.5 kWh (60 s)
 *   jc team-a: n2 gpu0 H1 2 kWh (30 s)
 *   idle:      n1 gpu2 H0 0.25 kWh (60 s), n2 gpu1 H1 0.1 kWh (60 s)
 */
describe.each(DIALECTS)('usage reports on %s', (dialect) => {
  let api: ApiHarness;
  let admin: string;
  let viewerA: string;
  const range = { from: iso(DAY1), to: iso(DAY1 + 2 * 86_400_000) };

  beforeAll(async () => {
    api = await startApi(dialect, { WATTPRINT_RATE_LIMIT_PER_MINUTE: '10000' });
    admin = await createToken(api, { name: 'admin', role: 'admin' });
    viewerA = await createToken(api, { name: 'team-a', role: 'viewer', team: 'team-a' }, admin);
    const db = api.db.db;
    await db
      .insertInto('sites')
      .values([
        { id: 's1', name: 'Frankfurt', region: 'DE', created_at: 0 },
        { id: 's2', name: 'Paris', region: 'FR', created_at: 0 },
      ])
      .execute();
    await db
      .insertInto('site_pue')
      .values([
        { site_id: 's1', valid_from: 0, pue: 1.5 },
        { site_id: 's2', valid_from: 0, pue: 1.2 },
      ])
      .execute();
    await db
      .insertInto('nodes')
      .values([
        { name: 'n1', site_id: 's1' },
        { name: 'n2', site_id: 's2' },
      ])
      .execute();
    await db
      .insertInto('grid_intensity')
      .values([
        { region: 'DE', period_start: H0, period_end: H1, g_per_kwh: 400, source: 'test', kind: 'actual', revised_at: H1 },
        { region: 'DE', period_start: H1, period_end: H1 + HOUR_MS, g_per_kwh: 200, source: 'test', kind: 'actual', revised_at: H1 },
      ])
      .execute();
    await db
      .insertInto('jobs')
      .values([job('ja', 'team-a', 'alice', 'p1', 'c1'), job('jb', 'team-b', 'bob', 'p2', 'c1'), job('jc', 'team-a', 'carol', 'p2', 'c2')])
      .execute();
    await db
      .insertInto('energy_buckets')
      .values([
        bucket('ja', 'n1', 'gpu0', 'gpu', H0 + 10 * MIN, 3.6e6, 60_000),
        bucket('ja', 'n1', 'cpu0', 'cpu', H0 + 10 * MIN, 0.36e6, 60_000),
        bucket('ja', 'n1', 'gpu0', 'gpu', D2, 3.6e6, 60_000),
        bucket('jb', 'n1', 'gpu1', 'gpu', H1 + 5 * MIN, 1.8e6, 60_000),
        bucket('jc', 'n2', 'gpu0', 'gpu', H1 + 5 * MIN, 7.2e6, 30_000),
        bucket('', 'n1', 'gpu2', 'gpu', H0 + 10 * MIN, 0.9e6, 60_000),
        bucket('', 'n2', 'gpu1', 'gpu', H1 + 5 * MIN, 0.36e6, 60_000),
      ])
      .execute();
  });
  afterAll(() => api?.close());

  const usage = (token: string, query: Record<string, string>) => api.http().get('/api/v1/usage').query(query).set(bearer(token));

  it('groups by team and day: energy, facility energy, CO2eq, GPU-hours, idle share, computed by hand', async () => {
    const res = await usage(admin, { groupBy: 'team', bucket: 'day', ...range });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ groupBy: 'team', bucket: 'day', ...range });
    const rows = res.body.rows;
    expect(rows.map((r: { period: string; key: string | null; idle: boolean }) => [r.period, r.key, r.idle])).toEqual([
      [iso(DAY1), 'team-a', false],
      [iso(DAY1), 'team-b', false],
      [iso(DAY1), null, true],
      [iso(DAY1 + 86_400_000), 'team-a', false],
    ]);
    // team-a day 1: ja 1.1 kWh on n1 in H0, jc 2 kWh on n2 in H1.
    expect(rows[0]).toEqual({
      period: iso(DAY1),
      key: 'team-a',
      idle: false,
      energyKWh: expect.closeTo(3.1, 12),
      facilityEnergyKWh: expect.closeTo(1.1 * 1.5 + 2 * 1.2, 12),
      co2eqKg: expect.closeTo((1.1 * 1.5 * 400 + 2 * 1.2 * FR) / 1000, 12),
      gpuHours: expect.closeTo(90 / 3600, 12),
      idleShare: 0,
      estimated: true,
    });
    expect(rows[1]).toEqual({
      period: iso(DAY1),
      key: 'team-b',
      idle: false,
      energyKWh: 0.5,
      facilityEnergyKWh: 0.75,
      co2eqKg: expect.closeTo(0.15, 12),
      gpuHours: expect.closeTo(60 / 3600, 12),
      idleShare: 0,
      estimated: false,
    });
    expect(rows[2]).toEqual({
      period: iso(DAY1),
      key: null,
      idle: true,
      energyKWh: expect.closeTo(0.35, 12),
      facilityEnergyKWh: expect.closeTo(0.25 * 1.5 + 0.1 * 1.2, 12),
      co2eqKg: expect.closeTo((0.25 * 1.5 * 400 + 0.1 * 1.2 * FR) / 1000, 12),
      gpuHours: expect.closeTo(120 / 3600, 12),
      idleShare: 1,
      estimated: true,
    });
    expect(rows[3]).toEqual({
      period: iso(DAY1 + 86_400_000),
      key: 'team-a',
      idle: false,
      energyKWh: 1,
      facilityEnergyKWh: 1.5,
      co2eqKg: expect.closeTo((1.5 * DE_YEARLY) / 1000, 12),
      gpuHours: expect.closeTo(60 / 3600, 12),
      idleShare: 0,
      estimated: true,
    });
    expect(res.body.totals.energyKWh).toBeCloseTo(4.95, 12);
    expect(res.body.totals.idleShare).toBeCloseTo(0.35 / 4.95, 12);
    expect(res.body.totals.gpuHours).toBeCloseTo(330 / 3600, 12);
    expect(res.body.estimatedHours).toEqual([iso(H1), iso(D2)]);
  });

  it('answers a range reaching months past the ledger as the range up to it: the stretch past the last energy is left unread', async () => {
    for (const groupBy of ['team', 'user', 'node']) {
      const upToLedger = (await usage(admin, { groupBy, bucket: 'day', ...range })).body;
      const farFuture = await usage(admin, { groupBy, bucket: 'day', from: range.from, to: iso(DAY1 + 300 * 86_400_000) });
      expect(farFuture.status).toBe(200);
      expect(upToLedger.rows.length).toBeGreaterThan(0);
      expect([groupBy, farFuture.body.rows, farFuture.body.totals, farFuture.body.estimatedHours]).toEqual([
        groupBy,
        upToLedger.rows,
        upToLedger.totals,
        upToLedger.estimatedHours,
      ]);
    }
  });

  it('groups by node and hour with idle energy inside each node, and by site and day', async () => {
    const byNodeRes = await usage(admin, { groupBy: 'node', bucket: 'hour', ...range });
    // by hour, the estimated hours are the estimated rows' own periods (n2's H1: FR has no series; n1's D2)
    expect(byNodeRes.body.estimatedHours).toEqual([iso(H1), iso(D2)]);
    const byNode = byNodeRes.body.rows;
    expect(byNode.map((r: { period: string; key: string }) => [r.period, r.key])).toEqual([
      [iso(H0), 'n1'],
      [iso(H1), 'n1'],
      [iso(H1), 'n2'],
      [iso(D2), 'n1'],
    ]);
    expect(byNode[0]).toMatchObject({
      idle: false,
      energyKWh: expect.closeTo(1.35, 12),
      idleShare: expect.closeTo(0.25 / 1.35, 12),
      gpuHours: expect.closeTo(120 / 3600, 12),
      co2eqKg: expect.closeTo((1.35 * 1.5 * 400) / 1000, 12),
      estimated: false,
    });
    expect(byNode[2]).toMatchObject({
      energyKWh: expect.closeTo(2.1, 12),
      idleShare: expect.closeTo(0.1 / 2.1, 12),
      gpuHours: expect.closeTo(90 / 3600, 12),
      co2eqKg: expect.closeTo((2.1 * 1.2 * FR) / 1000, 12),
      estimated: true,
    });

    // H0 alone: priced from DE's series, nothing estimated, by day as by hour
    for (const bucket of ['day', 'hour'])
      expect((await usage(admin, { groupBy: 'site', bucket, from: iso(H0), to: iso(H1) })).body.estimatedHours).toEqual([]);
    // a day estimated in its last hour only: the hour, not the day's start
    expect((await usage(admin, { groupBy: 'team', bucket: 'day', from: iso(DAY1), to: iso(H1 + HOUR_MS) })).body.estimatedHours).toEqual([
      iso(H1),
    ]);

    const bySite = (await usage(admin, { groupBy: 'site', bucket: 'day', ...range })).body.rows;
    expect(
      bySite.map((r: { period: string; key: string; energyKWh: number }) => [r.period, r.key, Number(r.energyKWh.toFixed(9))]),
    ).toEqual([
      [iso(DAY1), 's1', 1.85],
      [iso(DAY1), 's2', 2.1],
      [iso(DAY1 + 86_400_000), 's1', 1],
    ]);
  });

  it('groups by user, project and cluster, and filters', async () => {
    const byUser = (await usage(admin, { groupBy: 'user', bucket: 'day', from: iso(DAY1), to: iso(DAY1 + 86_400_000) })).body.rows;
    expect(byUser.map((r: { key: string | null; energyKWh: number }) => [r.key, Number(r.energyKWh.toFixed(9))])).toEqual([
      ['alice', 1.1],
      ['bob', 0.5],
      ['carol', 2],
      [null, 0.35],
    ]);
    const byProject = (await usage(admin, { groupBy: 'project', bucket: 'day', ...range, cluster: 'c1' })).body.rows;
    expect(
      byProject.map((r: { period: string; key: string | null; energyKWh: number }) => [r.period, r.key, Number(r.energyKWh.toFixed(9))]),
    ).toEqual([
      [iso(DAY1), 'p1', 1.1],
      [iso(DAY1), 'p2', 0.5],
      [iso(DAY1 + 86_400_000), 'p1', 1],
    ]);
    const byCluster = (
      await usage(admin, { groupBy: 'cluster', bucket: 'day', from: iso(DAY1), to: iso(DAY1 + 86_400_000), user: 'carol' })
    ).body.rows;
    expect(byCluster).toEqual([expect.objectContaining({ key: 'c2', energyKWh: 2 })]);
  });

  it('restricts a team viewer to its team: no other team, no idle energy, whatever the grouping', async () => {
    const byTeam = (await usage(viewerA, { groupBy: 'team', bucket: 'day', ...range })).body.rows;
    expect(byTeam.map((r: { key: string }) => r.key)).toEqual(['team-a', 'team-a']);
    const asked = (await usage(viewerA, { groupBy: 'team', bucket: 'day', ...range, team: 'team-b' })).body;
    expect(asked.rows).toEqual([]);
    expect(asked.totals.energyKWh).toBe(0);
    const byNode = (await usage(viewerA, { groupBy: 'node', bucket: 'hour', ...range })).body;
    expect(
      byNode.rows.map((r: { period: string; key: string; energyKWh: number; idleShare: number }) => [
        r.period,
        r.key,
        Number(r.energyKWh.toFixed(9)),
        r.idleShare,
      ]),
    ).toEqual([
      [iso(H0), 'n1', 1.1, 0],
      [iso(H1), 'n2', 2, 0],
      [iso(D2), 'n1', 1, 0],
    ]);
  });

  it('follows a revised intensity at once, with no re-ingest', async () => {
    const before = (await usage(admin, { groupBy: 'team', bucket: 'day', ...range, team: 'team-b' })).body.rows[0];
    expect(before.co2eqKg).toBeCloseTo(0.15, 12);
    await api.db.db
      .updateTable('grid_intensity')
      .set({ g_per_kwh: 120, revised_at: H1 + 86_400_000 })
      .where('region', '=', 'DE')
      .where('period_start', '=', H1)
      .execute();
    const after = (await usage(admin, { groupBy: 'team', bucket: 'day', ...range, team: 'team-b' })).body.rows[0];
    expect(after.co2eqKg).toBeCloseTo((0.75 * 120) / 1000, 12);
    expect(after.energyKWh).toBe(0.5);
    await api.db.db
      .updateTable('grid_intensity')
      .set({ g_per_kwh: 200 })
      .where('region', '=', 'DE')
      .where('period_start', '=', H1)
      .execute();
  });

  it('exports CSV by ?format=csv and by Accept: text/csv', async () => {
    const res = await usage(admin, { groupBy: 'team', bucket: 'day', ...range, format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="usage-by-team.csv"');
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('period,team,idle,energy_kwh,facility_energy_kwh,co2eq_kg,gpu_hours,idle_share,estimated');
    expect(lines).toHaveLength(5);
    expect(lines[2]).toBe(`${iso(DAY1)},team-b,false,0.5,0.75,${(0.75 * 200) / 1000},${60 / 3600},0,false`);
    const idle = lines[3].split(',');
    expect(idle.slice(0, 3)).toEqual([iso(DAY1), '', 'true']);
    expect(Number(idle[7])).toBe(1);
    const byAccept = await api
      .http()
      .get('/api/v1/usage')
      .query({ groupBy: 'team', bucket: 'day', ...range })
      .set(bearer(viewerA))
      .set('Accept', 'text/csv');
    expect(
      byAccept.text
        .trimEnd()
        .split('\r\n')
        .slice(1)
        .map((l) => l.split(',')[1]),
    ).toEqual(['team-a', 'team-a']);
  });

  it('answers 400 naming each bad field', async () => {
    const res = await usage(admin, { groupBy: 'galaxy', bucket: 'week', from: range.from });
    expect(res.status).toBe(400);
    expect(res.body.problems.map((p: { path: string }) => p.path).sort()).toEqual(['bucket', 'groupBy', 'to']);
    expect(res.body.problems.find((p: { path: string }) => p.path === 'groupBy').message).toContain('"galaxy"');
    const backwards = await usage(admin, { groupBy: 'team', from: range.to, to: range.from });
    expect(backwards.status).toBe(400);
    expect(backwards.body.problems).toEqual([{ path: 'to', message: expect.stringContaining(`expected a time after from (${range.to})`) }]);
    const tooLong = await usage(admin, { groupBy: 'team', from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' });
    expect(tooLong.body.problems).toEqual([{ path: 'to', message: expect.stringContaining('at most 400 days') }]);
    // by the hour, a week at most: a row per group and hour, and 31 days of them were 31 MB of JSON
    const hours = (days: number) =>
      usage(admin, {
        groupBy: 'user',
        bucket: 'hour',
        from: '2026-01-01T00:00:00Z',
        to: new Date(Date.UTC(2026, 0, 1) + days * 86_400_000 + 1).toISOString(),
      });
    const hourly = await hours(7);
    expect(hourly.status).toBe(400);
    expect(hourly.body.problems).toEqual([
      {
        path: 'bucket',
        message: expect.stringContaining(
          'expected day: by the hour a request covers 7 days at most, and 2026-01-01T00:00:00.000Z to 2026-01-08T00:00:00.001Z is longer',
        ),
      },
    ]);
    expect((await usage(admin, { groupBy: 'user', bucket: 'hour', from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z' })).status).toBe(
      200,
    );
    expect((await usage(admin, { groupBy: 'user', bucket: 'day', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:01Z' })).status).toBe(
      200,
    );
    expect(
      (
        await api
          .http()
          .get('/api/v1/usage')
          .query({ groupBy: 'team', ...range })
      ).status,
    ).toBe(401);
  });
});
