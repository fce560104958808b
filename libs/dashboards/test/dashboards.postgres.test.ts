import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
// A pure lib's tests need the real schema: libs/db is used here only, never by src.
import { type DatabaseHandle, connect, foldHours, migrateToLatest } from '@wattprint/db';
import { type TestDatabase, createTestDatabase } from '@wattprint/db/testing';
import { sql } from 'kysely';
import { dashboards } from '../src/generate';
import { collectorYearlyAverages, panelQueries, panelSql, variables } from './support/dashboard-queries';
import { type GrafanaContext, expandMacros } from '../src/sql/grafana-expand';
import { H0, H1, HOUR, seedCluster } from './support/seed';

const DAY = 24 * HOUR;

const generated = dashboards(collectorYearlyAverages());
const cluster = generated.get('cluster-accounting.json')!;
const org = generated.get('org-view.json')!;
const forecasts = generated.get('forecasts.json')!;

let testDb: TestDatabase;
let handle: DatabaseHandle;

beforeAll(async () => {
  testDb = await createTestDatabase('postgres');
  handle = connect({ url: testDb.url, poolSize: 2 });
  await migrateToLatest(handle.db, handle.dialect);
  await seedCluster(handle.db);
});

afterAll(async () => {
  await handle?.close();
  await testDb?.drop();
});

type Row = Record<string, unknown>;

async function run(text: string, ctx: GrafanaContext): Promise<Row[]> {
  const result = await sql.raw<Row>(expandMacros(text, ctx)).execute(handle.db);
  return result.rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(v) ? Number(v) : v]),
    ),
  );
}

/**
 * Resolves each variable as Grafana does with "All" selected, or with the values given: variables
 * in dashboard order, each option query expanded with the ones before it.
 */
async function context(dashboard: Dashboard, chosen: Record<string, string[]> = {}, intervalMs = 60_000): Promise<GrafanaContext> {
  const ctx: GrafanaContext = { from: H0, to: H1 + HOUR, intervalMs, variables: {} };
  for (const v of variables(dashboard)) {
    const rows = await run(String(v.query), ctx);
    const options = rows.map((r) => String(Object.values(r)[0]));
    ctx.variables[v.name] = chosen[v.name] ?? options;
  }
  return ctx;
}

async function single(dashboard: Dashboard, title: string, ctx: GrafanaContext): Promise<number> {
  const rows = await run(panelSql(dashboard, title), ctx);
  expect(rows).toHaveLength(1);
  return Number(Object.values(rows[0])[0]);
}

// Hand-computed from the seed (support/seed.ts), kWh and grams:
//   gpu-1 H0: 1.5 kWh × PUE 1.35 (1.2 then 1.5 from :30) × 300 g (actual beats the 999 forecast) = 607.5 g
//   gpu-1 H1: 2 kWh × PUE 1.5 × 150 g (forecast 200 then actual 100, half an hour each)      = 450 g
//   gpu-2 H0: 1 kWh × PUE 1.1 × 369.5 g (US-CAL-CISO has no series: US yearly average)       = 406.45 g
//   gpu-3 H0: 1.25 kWh × PUE 1 × 475 g (no site: WORLD average)                              = 593.75 g
const TOTAL = { itKWh: 5.75, facilityKWh: 2.025 + 3 + 1.1 + 1.25, co2eqKg: (607.5 + 450 + 406.45 + 593.75) / 1000, gpuHours: 5 / 60 };

describe('every panel and variable query runs on PostgreSQL', () => {
  it.each([...generated.keys()])('%s', async (file) => {
    const dashboard = generated.get(file)!;
    for (const [interval, chosen] of [
      [60_000, {}],
      [4 * HOUR, {}],
      // past six hours a step is whole days, and the time series of the node and group grains read the daily rollups
      [9 * HOUR, {}],
    ] as const) {
      const ctx = await context(dashboard, chosen, interval);
      for (const q of panelQueries(dashboard)) {
        const rows = await run(q.query.rawSql, ctx).catch((error: Error) => {
          throw new Error(`${file} / ${q.panel}: ${error.message}`);
        });
        expect({ panel: q.panel, rows: rows.length > 0 }).toEqual({ panel: q.panel, rows: true });
        if (q.query.format === 'time_series') {
          for (const r of rows) expect(r.time).toBeInstanceOf(Date);
        }
      }
    }
  });
});

describe('cluster accounting', () => {
  let ctx: GrafanaContext;
  beforeAll(async () => {
    ctx = await context(cluster);
  });

  it('offers every site and the unassigned nodes', () => {
    expect(ctx.variables.site).toEqual(['(unassigned)', 'fra', 'sfo']);
  });

  it('totals IT and facility energy, CO2eq, GPU-hours and shares by hand', async () => {
    expect(await single(cluster, 'IT energy', ctx)).toBeCloseTo(TOTAL.itKWh, 9);
    expect(await single(cluster, 'Facility energy', ctx)).toBeCloseTo(TOTAL.facilityKWh, 9);
    expect(await single(cluster, 'CO2eq', ctx)).toBeCloseTo(TOTAL.co2eqKg, 9);
    expect(await single(cluster, 'GPU-hours', ctx)).toBeCloseTo(TOTAL.gpuHours, 9);
    expect(await single(cluster, 'Idle share', ctx)).toBeCloseTo(0.5 / 5.75, 9);
    expect(await single(cluster, 'Estimated intensity', ctx)).toBeCloseTo(2.25 / 5.75, 9);
  });

  it('filters by site', async () => {
    const fra = { ...ctx, variables: { site: ['fra'] } };
    expect(await single(cluster, 'CO2eq', fra)).toBeCloseTo((607.5 + 450) / 1000, 9);
    expect(await single(cluster, 'IT energy', fra)).toBeCloseTo(3.5, 9);
    // '(unassigned)' selects the nodes without a site, and only those
    const sites = await run(panelSql(cluster, 'Sites'), ctx);
    const unassigned = { ...ctx, variables: { site: ['(unassigned)'] } };
    expect(await single(cluster, 'IT energy', unassigned)).toBeCloseTo(
      Number(sites.find((r) => r.Site === '(unassigned)')!['IT energy']),
      9,
    );
    expect(await single(cluster, 'IT energy', unassigned)).toBeGreaterThan(0);
  });

  it('splits sites with energy-weighted PUE and intensity', async () => {
    const rows = await run(panelSql(cluster, 'Sites'), ctx);
    expect(rows.map((r) => r.Site)).toEqual(['fra', '(unassigned)', 'sfo']);
    const [fra, none, sfo] = rows;
    expect(fra['IT energy']).toBeCloseTo(3.5, 9);
    expect(fra['Facility energy']).toBeCloseTo(5.025, 9);
    expect(fra.CO2eq).toBeCloseTo(1.0575, 9);
    expect(fra.PUE).toBeCloseTo(5.025 / 3.5, 9);
    expect(fra.Intensity).toBeCloseTo(1057.5 / 5.025, 9);
    expect(fra['Idle share']).toBeCloseTo(0.5 / 3.5, 9);
    expect(fra['Estimated intensity']).toBe(0);
    expect(none.CO2eq).toBeCloseTo(0.59375, 9);
    expect(none['GPU-hours']).toBe(0);
    expect(sfo.CO2eq).toBeCloseTo(0.40645, 9);
    expect(sfo['Estimated intensity']).toBe(1);
  });

  it('ranks nodes and jobs by CO2eq', async () => {
    const nodes = await run(panelSql(cluster, 'Nodes'), ctx);
    expect(nodes.map((r) => [r.Node, r.Site])).toEqual([
      ['gpu-1', 'fra'],
      ['gpu-3', '(unassigned)'],
      ['gpu-2', 'sfo'],
    ]);
    const jobs = await run(panelSql(cluster, 'Top 20 jobs by CO2eq'), ctx);
    expect(jobs.map((r) => [r.Job, r.User, r.Team, r.Project])).toEqual([
      ['j1', 'alice', 'ml', 'llm'],
      ['j2', 'bob', 'vision', "o'brien"],
      ['j3', 'carol', '(none)', 'misc'],
    ]);
    expect(jobs[0].CO2eq).toBeCloseTo(0.88, 9);
    expect(jobs[0]['Facility energy']).toBeCloseTo(2.35, 9);
    expect(jobs[1].CO2eq).toBeCloseTo(0.85645, 9);
    expect(jobs[1]['GPU-hours']).toBeCloseTo(2 / 60, 9);
  });

  it("steps time series by the hour, or by Grafana's interval rounded up to whole hours, or past six hours whole days", async () => {
    const hourly = await run(panelSql(cluster, 'Energy: IT and facility'), ctx);
    expect(hourly.map((r) => [(r.time as Date).getTime(), r.IT, r.Facility])).toEqual([
      [H0, expect.closeTo(3.75, 9), expect.closeTo(2.025 + 1.1 + 1.25, 9)],
      [H1, expect.closeTo(2, 9), expect.closeTo(3, 9)],
    ]);
    const coarse = await run(panelSql(cluster, 'Energy: IT and facility'), { ...ctx, intervalMs: 90 * 60_000 });
    expect(coarse.map((r) => [(r.time as Date).getTime(), r.IT])).toEqual([[H0, expect.closeTo(5.75, 9)]]);
    // past six hours, whole days: a year on a 1,000 px panel (9 h) steps by the day
    const daily = await run(panelSql(cluster, 'Energy: IT and facility'), { ...ctx, intervalMs: 9 * HOUR });
    expect(daily.map((r) => [(r.time as Date).getTime(), r.IT])).toEqual([[H0 - (H0 % 86_400_000), expect.closeTo(5.75, 9)]]);
    const bySite = await run(panelSql(cluster, 'CO2eq by site'), ctx);
    expect(bySite.map((r) => [(r.time as Date).getTime(), r.metric, r.value])).toEqual([
      [H0, '(unassigned)', expect.closeTo(0.59375, 9)],
      [H0, 'fra', expect.closeTo(0.6075, 9)],
      [H0, 'sfo', expect.closeTo(0.40645, 9)],
      [H1, 'fra', expect.closeTo(0.45, 9)],
    ]);
  });

  it('follows a revised intensity with no re-ingest', async () => {
    await handle.db
      .updateTable('grid_intensity')
      .set({ g_per_kwh: 400, revised_at: H1 + 5 * HOUR })
      .where('region', '=', 'DE')
      .where('kind', '=', 'actual')
      .where('period_start', '=', H0)
      .execute();
    try {
      expect(await single(cluster, 'CO2eq', ctx)).toBeCloseTo(TOTAL.co2eqKg + (2.025 * 100) / 1000, 9);
    } finally {
      await handle.db
        .updateTable('grid_intensity')
        .set({ g_per_kwh: 300, revised_at: H0 })
        .where('region', '=', 'DE')
        .where('kind', '=', 'actual')
        .where('period_start', '=', H0)
        .execute();
    }
  });
});

describe('teams, users and projects', () => {
  it('offers teams and the projects of the chosen teams, quoting values as Grafana does', async () => {
    const all = await context(org);
    expect(all.variables.team).toEqual(['(none)', 'ml', 'vision']);
    expect(all.variables.project).toEqual(['(none)', 'llm', 'misc', "o'brien"]);
    const vision = await context(org, { team: ['vision'] });
    expect(vision.variables.project).toEqual(['(none)', "o'brien"]);
  });

  it('attributes job energy only, by team, user and project', async () => {
    const ctx = await context(org);
    expect(await single(org, 'CO2eq', ctx)).toBeCloseTo((880 + 856.45 + 118.75) / 1000, 9);
    expect(await single(org, 'IT energy', ctx)).toBeCloseTo(5.25, 9);
    expect(await single(org, 'Jobs', ctx)).toBe(3);
    const teams = await run(panelSql(org, 'Teams'), ctx);
    expect(teams.map((r) => [r.Team, r.CO2eq])).toEqual([
      ['ml', expect.closeTo(0.88, 9)],
      ['vision', expect.closeTo(0.85645, 9)],
      ['(none)', expect.closeTo(0.11875, 9)],
    ]);
    const users = await run(panelSql(org, 'Users'), ctx);
    expect(users.map((r) => [r.User, r.Team])).toEqual([
      ['alice', 'ml'],
      ['bob', 'vision'],
      ['carol', '(none)'],
    ]);
    const projects = await run(panelSql(org, 'Projects'), ctx);
    expect(projects.find((r) => r.Project === "o'brien")!['Facility energy']).toBeCloseTo(4.1, 9);
  });

  it('filters by team, project and site', async () => {
    const vision = await context(org, { team: ['vision'] });
    expect(await single(org, 'CO2eq', vision)).toBeCloseTo(0.85645, 9);
    expect(await single(org, 'Jobs', vision)).toBe(1);
    const fra = await context(org, { site: ['fra'] });
    expect(await single(org, 'CO2eq', fra)).toBeCloseTo((405 + 450) / 1000, 9);
    expect(await single(org, 'GPU-hours', fra)).toBeCloseTo(2 / 60 + 1 / 60, 9);
    const misc = await context(org, { project: ['misc'] });
    expect(await single(org, 'CO2eq', misc)).toBeCloseTo(0.11875, 9);
    // the label of a missing attribute selects the jobs without it, and only those
    const none = await context(org, { team: ['(none)'] });
    expect(await single(org, 'CO2eq', none)).toBeCloseTo(0.11875, 9);
    expect(await single(org, 'Jobs', none)).toBe(1);
    // the top jobs: the filters on a job's team and project apply to whole jobs, those on the site to rows
    const top = async (variables: Parameters<typeof context>[1]) =>
      (await run(panelSql(org, 'Top 20 jobs by CO2eq'), await context(org, variables))).map((r) => [r.Job, r.Team, r.Project]);
    expect(await top({ team: ['vision'] })).toEqual([['j2', 'vision', "o'brien"]]);
    expect(await top({ team: ['(none)'] })).toEqual([['j3', '(none)', 'misc']]);
    expect(await top({ project: ['llm', 'misc'] })).toEqual([
      ['j1', 'ml', 'llm'],
      ['j3', '(none)', 'misc'],
    ]);
    const fraJobs = await run(panelSql(org, 'Top 20 jobs by CO2eq'), fra);
    expect(fraJobs.reduce((sum, r) => sum + Number(r.CO2eq), 0)).toBeCloseTo((405 + 450) / 1000, 9);
  });
  it('steps its time series by the hour over a week at most, by whole days over a longer range', async () => {
    // the range ends at H1's end: a week of it is still stepped by the hour...
    const week = H1 + HOUR - 7 * DAY;
    const ctx = { ...(await context(org)), from: week };
    const teams = new Map((await run(panelSql(org, 'Teams'), ctx)).map((r) => [r.Team, Number(r.CO2eq)]));
    const series = async (from: number) =>
      (await run(panelSql(org, 'CO2eq by team'), { ...ctx, from })).map((r) => ({
        time: (r.time as Date).getTime(),
        team: String(r.metric),
        kg: Number(r.value),
      }));
    const byTeam = (rows: Array<{ team: string; kg: number }>) =>
      [...teams.keys()].map((team) => [team, rows.filter((r) => r.team === team).reduce((sum, r) => sum + r.kg, 0)]);
    const expected = [...teams.entries()].map(([team, kg]) => [team, expect.closeTo(kg, 9)]);
    const hourly = await series(week);
    expect(new Set(hourly.map((r) => r.time))).toEqual(new Set([H0 - HOUR, H0, H1]));
    expect(byTeam(hourly)).toEqual(expected);
    // ...a millisecond more, by the day, though Grafana's interval is still a minute
    const daily = await series(week - 1);
    expect(new Set(daily.map((r) => r.time))).toEqual(new Set([H0 - (H0 % DAY)]));
    expect(byTeam(daily)).toEqual(expected);
  });
});

describe('forecasts and searches', () => {
  it('shows forecast error and p10–p90 coverage of the jobs that ended in each step, by profile', async () => {
    const ctx = await context(forecasts, {}, 60_000);
    const mape = await run(panelSql(forecasts, 'Forecast error (MAPE) by hardware profile'), ctx);
    // j1: |2 − 2| / 2 = 0 in H0; j2: |2 − 3| / 3 in H1; j9 ended before the range
    expect(mape.map((r) => [new Date(String(r.time)).getTime(), r.metric, r.value])).toEqual([
      [H0, 'nvidia-a100-sxm4-80gb', 0],
      [H1, 'nvidia-a100-sxm4-80gb', expect.closeTo(1 / 3, 12)],
    ]);
    const coverage = await run(panelSql(forecasts, 'Forecast p10–p90 coverage by hardware profile'), ctx);
    expect(coverage.map((r) => r.value)).toEqual([1, 1]);
  });

  it('shows each search with its trials, CT so far over all time, forecast and projection', async () => {
    const rows = await run(panelSql(forecasts, 'Searches'), await context(forecasts));
    expect(rows).toEqual([
      {
        Search: 'sweep-1',
        Name: 'sweep',
        Team: 'ml',
        Planned: 4,
        Running: 0,
        Ended: 1,
        'CT so far': 0.25,
        'Forecast p10': 0.5,
        'Forecast p50': 1,
        'Forecast p90': 2,
        Projected: 1,
      },
    ]);
  });
});

describe('panels read folded hours from the rollup and answer as the minutes alone do', () => {
  /** Every panel's rows, under ranges that start and end off the hour. */
  async function everyPanel(): Promise<Record<string, Row[]>> {
    const out: Record<string, Row[]> = {};
    for (const [file, dashboard] of generated) {
      for (const [from, to] of [
        [H0 - 17 * 60_000, H1 + HOUR + 23 * 60_000],
        [H0 + 7 * 60_000, H1 + 59 * 60_000],
        [H0 - 5 * HOUR, H1 + 5 * HOUR],
      ]) {
        const ctx = { ...(await context(dashboard)), from, to };
        for (const q of panelQueries(dashboard)) out[`${file} / ${q.panel} / ${from}..${to}`] = await run(q.query.rawSql, ctx);
      }
    }
    return out;
  }

  /** A fold as the collector makes one (apps/collector/src/rollups): every hour before `until` into the hourly rollups. */
  async function foldUntil(until: number): Promise<void> {
    const first = await sql<{ h: number | null }>`SELECT MIN(hour_start) AS h FROM energy_buckets`.execute(handle.db);
    await foldHours(handle.db, Number(first.rows[0].h ?? until), until);
    await sql`UPDATE rollup_state SET folded_until = ${until}`.execute(handle.db);
  }

  it('gives every panel the same rows to 1e-9 before and after the seed is folded, and after its minutes are dropped', async () => {
    const minuteOnly = await everyPanel();
    await foldUntil(H1 + 2 * HOUR);
    expectSameRows(await everyPanel(), minuteOnly);
    // retention: minutes before H1 dropped. A range edge in what only hours hold is read as its whole
    // hour: from H0 + 7 min reads all of H0, from H0 − 17 min all of H0 − 1 h (the seed's decoy minute too)
    const ctx = await context(cluster);
    const fromPreviousHour = await single(cluster, 'CO2eq', { ...ctx, from: H0 - HOUR });
    const kept = await sql<{ n: number }>`SELECT count(*)::int AS n FROM energy_buckets WHERE minute_start >= ${H1}`.execute(handle.db);
    await sql`UPDATE rollup_state SET minutes_from = ${H1}`.execute(handle.db);
    await sql`DELETE FROM energy_buckets WHERE minute_start < ${H1}`.execute(handle.db);
    expect(kept.rows[0].n).toBeGreaterThan(0);
    expect(await single(cluster, 'CO2eq', { ...ctx, from: H0 + 7 * 60_000 })).toBeCloseTo(TOTAL.co2eqKg, 9);
    expect(await single(cluster, 'IT energy', { ...ctx, from: H0 + 7 * 60_000 })).toBeCloseTo(TOTAL.itKWh, 9);
    expect(await single(cluster, 'CO2eq', { ...ctx, from: H0 - 17 * 60_000 })).toBeCloseTo(fromPreviousHour, 9);
    expect(fromPreviousHour).toBeGreaterThan(TOTAL.co2eqKg);
  });
});

/** Same keys and rows, every number to 1e-9 relative. */
function expectSameRows(actual: Record<string, Row[]>, expected: Record<string, Row[]>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [key, rows] of Object.entries(expected)) {
    const got = actual[key];
    expect([key, got.length]).toEqual([key, rows.length]);
    rows.forEach((row, i) => {
      for (const [column, value] of Object.entries(row)) {
        const other = got[i][column];
        if (typeof value === 'number' && typeof other === 'number') {
          const scale = Math.max(Math.abs(value), 1e-12);
          expect([key, i, column, Math.abs(other - value) / scale < 1e-9]).toEqual([key, i, column, true]);
        } else {
          expect([key, i, column, other]).toEqual([key, i, column, value]);
        }
      }
    });
  }
}
