/**
 * The daily rollups on both databases: reports by day read whole days from them, and stay equal to
 * the minute-only answer (1e-9) through every change a day's energy or its factors can take — late
 * batches, job events, node moves, intensity imports, PUE schedules, a site's region, new pricing
 * rules — before the day is derived again (marked days come from the hours) and after. On
 * PostgreSQL the dashboards' panels too: the org view's and the node table's, totals and time series
 * stepped by the hour and by the day.
 */
import type { INestApplication } from '@nestjs/common';
import { type DatabaseHandle, markDaysDirty } from '@wattprint/db';
import { DIALECTS, createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import { sql } from 'kysely';
import type { Batch, Sample } from '@wattprint/protocol';
import request from 'supertest';
import { DailyRollupService } from '../src/reports/daily/daily-rollup.service';
import { RollupService } from '../src/rollups/rollup.service';
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
import { expectClose, expectJobTotalsOfDailyRows, prng, shuffle } from './support/rollup-checks';
import { waitFor } from './support/wait-for';

jest.setTimeout(180_000);

/** What this suite uses of libs/dashboards: the generated dashboards, and their SQL as Grafana expands it. */
interface PanelSource {
  dashboards(yearly: unknown): Map<string, { templating?: { list?: Array<{ name: string; query?: unknown }> }; panels?: unknown[] }>;
  expandMacros(sql: string, ctx: { from: number; to: number; intervalMs: number; variables: Record<string, readonly string[]> }): string;
  shippedYearlyAverages(): unknown;
}
// Loaded by Jest's module map: the lib type-checks under node16 module resolution (the Grafana SDK's
// subpath exports), which this project's tsconfig does not use, so the import is not a static one.
const { dashboards, expandMacros, shippedYearlyAverages } = require('@wattprint/dashboards') as PanelSource;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Four UTC days, the first and last partly: from 05:17:23.417 of a day a week ago, 2 days and 19 hours. */
const DAY0 = Math.floor((Date.now() - 8 * DAY) / DAY) * DAY;
const START = DAY0 + 5 * HOUR + 17 * MINUTE + 23_417;
const END = START + 2 * DAY + 19 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

/** Sparse batches of three GPUs per agent: irregular spans (some across minutes, hours and days), gaps, jobs of five hours. */
function history(agents: TestAgent[], seed: number): Batch[] {
  const random = prng(seed);
  const batches: Batch[] = [];
  for (const agent of agents) {
    let seq = 0;
    for (let t = START + Math.floor(random() * 5000); t < END;) {
      const span = 1_000 + Math.floor(random() * 170_000);
      const samples: Sample[] = [0, 1, 2].map((g) => {
        const watts = 50 + random() * 650;
        return {
          seq: seq + g,
          t0: t,
          t1: t + span,
          device: `gpu${g}`,
          kind: 'gpu',
          jobId: random() < 0.2 ? null : jobOf(agent, agents, g, Math.floor((t - START) / (5 * HOUR))),
          energyJ: (watts * span) / 1000,
          powerW: watts,
          utilization: null,
          source: 'nvml',
        };
      });
      batches.push(signedBatch(agent, { firstSeq: seq, sentAt: t + span, samples }));
      seq += samples.length;
      t += span + Math.floor(random() * 40 * MINUTE);
    }
  }
  return batches;
}

/** A GPU's job in a five-hour window; the third GPU of the first two agents (two sites) shares one. */
const jobOf = (agent: TestAgent, agents: TestAgent[], gpu: number, window: number) =>
  gpu === 2 && agent !== agents[2] ? `job-pair-${window}` : `job-${agent.id}-${window}-${gpu % 2}`;

/** Half-hour intensity periods of a region over [from, to), as the import's CSV. */
function intensityCsv(region: string, from: number, to: number, random: () => number): string {
  const lines = ['region,start,end,g_per_kwh'];
  for (let t = from; t < to; t += 30 * MINUTE) lines.push(`${region},${iso(t)},${iso(t + 30 * MINUTE)},${Math.round(20 + random() * 600)}`);
  return lines.join('\n');
}

describe.each(DIALECTS)('daily rollups on %s', (dialect) => {
  let testDb: TestDatabase;
  let app: INestApplication;
  let producer: TestProducer;
  let db: DatabaseHandle;
  let rollups: RollupService;
  let daily: DailyRollupService;
  const agents = ['da', 'db', 'dc'].map(testAgent);
  const batches = history(agents, dialect === 'sqlite' ? 21 : 22);
  const random = prng(dialect === 'sqlite' ? 31 : 32);
  const http = () => request(app.getHttpServer());
  const auth = bearer(BOOTSTRAP_TOKEN);

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
    daily = app.get(DailyRollupService);
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await producer?.dispose();
    await testDb?.drop();
  });

  const committed = () => committedBatches(db);
  const markedDays = async () =>
    (await db.db.selectFrom('daily_dirty').select('day_start').orderBy('day_start').execute()).map((r) => Number(r.day_start));
  /** Passes until no day is marked; returns the days derived. */
  const deriveAll = async () => {
    let derived = 0;
    for (let pass = 0; pass < 10; pass++) {
      const done = await daily.derive();
      derived += done.derived;
      if (done.marked === 0) return derived;
    }
    throw new Error(`days still marked after 10 passes: ${(await markedDays()).map(iso).join(', ')}`);
  };
  /** Copies of batches with fresh sequence numbers: energy arriving late, into folded hours. */
  let nextSeq = 700_000;
  const deliverCopies = async (originals: Batch[]) => {
    const before = await committed();
    for (const original of originals) {
      const sender = agents.find((a) => a.id === original.agentId)!;
      const samples = original.samples.map((x, i) => ({ ...x, seq: nextSeq + i }));
      await producer.addBatch(signedBatch(sender, { firstSeq: nextSeq, sentAt: original.sentAt, samples }));
      nextSeq += 100;
    }
    await waitFor(`${originals.length} copies committed`, async () => (await committed()) === before + originals.length, 60_000);
  };
  /**
   * The job with the least energy of those wholly inside two whole days runs four more hours, on its
   * three GPUs, late, on the second day: by its total it is not among the top 20 jobs, by its hours
   * on that (marked) day it is, and the top jobs say so before the day is derived again.
   */
  const lateRunOfSmallJob = async () => {
    const small = await db.db
      .selectFrom('energy_job_total')
      .select('job_id')
      .where('site_key', 'is not', null)
      .where('first_day', '=', DAY0 + DAY)
      .where('last_day', '=', DAY0 + DAY)
      .orderBy('grams')
      .limit(1)
      .executeTakeFirstOrThrow();
    const node = await db.db
      .selectFrom('energy_hourly')
      .select('node')
      .where('job_id', '=', small.job_id)
      .limit(1)
      .executeTakeFirstOrThrow();
    const sender = agents.find((a) => a.node === node.node)!;
    const before = await committed();
    const from = DAY0 + 2 * DAY + 8 * HOUR + 41_250;
    const span = 10 * MINUTE;
    for (let i = 0; i < 24; i++) {
      const t0 = from + i * span;
      const samples: Sample[] = [0, 1, 2].map((g) => ({
        seq: nextSeq + g,
        t0,
        t1: t0 + span,
        device: `gpu${g}`,
        kind: 'gpu',
        jobId: small.job_id,
        energyJ: 690 * (span / 1000),
        powerW: 690,
        utilization: null,
        source: 'nvml',
      }));
      await producer.addBatch(signedBatch(sender, { firstSeq: nextSeq, sentAt: t0 + span, samples }));
      nextSeq += 100;
    }
    await waitFor('the late run committed', async () => (await committed()) === before + 24, 60_000);
    if (dialect !== 'postgres') return;
    const top = await topJobsCo2();
    expect(top.map(([job]) => job)).toContain(small.job_id);
    expectClose(top, await minuteOnly(topJobsCo2));
  };
  const importIntensity = async (csv: string) =>
    expect(
      (await http().post('/api/v1/intensity/import').set(auth).set('content-type', 'text/csv').send(csv).expect(200)).body.rejected,
    ).toBe(0);
  const describeJobs = async (jobIds: readonly string[], round: number) => {
    const pick = <T>(options: readonly T[]) => options[Math.floor(random() * options.length)];
    for (const jobId of jobIds) {
      const metadata = Object.fromEntries(
        Object.entries({
          team: pick(['vision', 'nlp', '', undefined]),
          project: pick(['llm', 'asr', undefined]),
          user: pick(['ada', 'grace', undefined]),
          cluster: pick(['c1', undefined]),
        }).filter(([, v]) => v !== undefined),
      );
      await http()
        .post('/api/v1/job-events')
        .set(auth)
        .send({ eventId: `daily.${round}.${jobId}`, type: 'metadata', jobId, at: iso(START), metadata })
        .expect(200);
    }
  };

  const RANGES = [
    { from: START - HOUR, to: END + HOUR },
    { from: DAY0 + DAY + 3 * HOUR + 17 * MINUTE + 5_123, to: DAY0 + 3 * DAY + 2 * HOUR },
    { from: DAY0 + DAY, to: DAY0 + 3 * DAY },
  ];
  const READS = [
    'groupBy=team',
    'groupBy=user',
    'groupBy=project',
    'groupBy=cluster',
    'groupBy=node',
    'groupBy=site&team=vision',
    'groupBy=user&team=nlp',
    'groupBy=team&project=llm&cluster=c1',
  ];
  const answers = async () => {
    const out: unknown[] = [];
    for (const r of RANGES)
      for (const read of READS)
        out.push(
          (
            await http()
              .get(`/api/v1/usage?${read}&bucket=day&from=${iso(r.from)}&to=${iso(r.to)}`)
              .set(auth)
              .expect(200)
          ).body,
        );
    return out;
  };
  /** The panels that read the daily rollups, by hour and by day, as Grafana runs them (PostgreSQL). */
  const PANEL_DASHBOARDS = ['org-view.json', 'cluster-accounting.json'];
  /**
   * Totals over the whole history and an off-day range; time series stepped by the hour and by the
   * day, and over eight days by a minute's interval (the org view's series step by whole days past
   * a week); the org view with one team and one site chosen, filtered on the jobs' attributes.
   * After each change, the last two (the minute-only reads of every panel are what this suite
   * spends on).
   */
  type PanelRead = readonly [{ from: number; to: number }, number, Record<string, string[]>];
  const ALL_PANEL_READS: readonly PanelRead[] = [
    [RANGES[0], DAY, {}],
    [{ from: END + HOUR - 8 * DAY, to: END + HOUR }, MINUTE, {}],
    [RANGES[1], MINUTE, {}],
    [RANGES[1], DAY, {}],
    [RANGES[0], MINUTE, { team: ['nlp'], site: ['par'] }],
  ];
  const CHANGE_PANEL_READS = ALL_PANEL_READS.slice(2);
  const panels = async (reads: readonly PanelRead[] = ALL_PANEL_READS) => {
    const out: Record<string, unknown> = {};
    if (dialect !== 'postgres') return out;
    const run = async (text: string) =>
      (await sql.raw<Record<string, unknown>>(text).execute(db.db)).rows.map((row) =>
        Object.values(row).map((v) =>
          v instanceof Date ? v.getTime() : typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v,
        ),
      );
    for (const [file, dashboard] of dashboards(shippedYearlyAverages())) {
      if (!PANEL_DASHBOARDS.includes(file)) continue;
      for (const [r, intervalMs, chosen] of reads) {
        if (Object.keys(chosen).length > 0 && file !== 'org-view.json') continue;
        const ctx = { from: r.from, to: r.to, intervalMs, variables: {} as Record<string, string[]> };
        for (const v of dashboard.templating?.list ?? [])
          ctx.variables[v.name] = chosen[v.name] ?? (await run(expandMacros(String(v.query), ctx))).map((x) => String(x[0]));
        for (const panel of dashboard.panels ?? [])
          for (const target of (panel as { targets?: Array<{ rawSql?: string }> }).targets ?? [])
            out[`${file} / ${(panel as { title?: string }).title} / ${iso(r.from)} / ${intervalMs} / ${JSON.stringify(chosen)}`] =
              await run(expandMacros(target.rawSql!, ctx));
      }
    }
    return out;
  };
  /** Reads with nothing folded: from the minutes alone, no rollup of any kind. */
  const minuteOnly = async <T>(read: () => Promise<T>): Promise<T> => {
    const state = await db.db.selectFrom('rollup_state').selectAll().executeTakeFirstOrThrow();
    await db.db.updateTable('rollup_state').set({ folded_until: null }).execute();
    try {
      return await read();
    } finally {
      await db.db.updateTable('rollup_state').set({ folded_until: state.folded_until }).execute();
    }
  };
  const expectAsMinutes = async (reads: readonly PanelRead[] = ALL_PANEL_READS) => {
    expectClose(await answers(), await minuteOnly(answers));
    expectClose(await panels(reads), await minuteOnly(() => panels(reads)));
  };
  /**
   * Equal to the minutes with the change's days marked (read from the hours), and again once derived.
   * `marked: false` when passes ran beside the change: they may have derived its days already.
   */
  const expectExactAroundDerive = async (what: string, { marked = true } = {}) => {
    if (marked) expect([what, (await markedDays()).length > 0]).toEqual([what, true]);
    await expectAsMinutes(CHANGE_PANEL_READS);
    const derived = await deriveAll();
    if (marked) expect([what, derived]).not.toEqual([what, 0]);
    expect(await markedDays()).toEqual([]);
    await expectJobTotalsOfDailyRows(db.db);
    await expectAsMinutes(CHANGE_PANEL_READS);
  };
  /** The org view's CO2eq stat over a day, every team, project and site chosen (PostgreSQL; none on SQLite). */
  const orgDayCo2 = async (day: number) => {
    if (dialect !== 'postgres') return [];
    const org = dashboards(shippedYearlyAverages()).get('org-view.json')!;
    const panel = (org.panels ?? []).find((p) => (p as { title?: string }).title === 'CO2eq') as { targets: Array<{ rawSql: string }> };
    const variables = { team: ['(none)', 'vision', 'nlp', ''], project: ['(none)', 'llm', 'asr'], site: ['(unassigned)', 'fra', 'par'] };
    const text = expandMacros(panel.targets[0].rawSql, { from: day, to: day + DAY, intervalMs: MINUTE, variables });
    return (await sql.raw<{ CO2eq: string }>(text).execute(db.db)).rows.map((r) => Number(r.CO2eq));
  };
  /** The cluster view's top 20 jobs over two whole days, each job's CO2eq (PostgreSQL; none on SQLite). */
  const topJobsCo2 = async () => {
    if (dialect !== 'postgres') return [];
    const view = dashboards(shippedYearlyAverages()).get('cluster-accounting.json')!;
    const panel = (view.panels ?? []).find((p) => (p as { title?: string }).title === 'Top 20 jobs by CO2eq') as {
      targets: Array<{ rawSql: string }>;
    };
    const variables = { site: ['(unassigned)', 'fra', 'par'] };
    const text = expandMacros(panel.targets[0].rawSql, { from: DAY0 + DAY, to: DAY0 + 3 * DAY, intervalMs: MINUTE, variables });
    return (await sql.raw<{ Job: string; CO2eq: string }>(text).execute(db.db)).rows.map((r) => [r.Job, Number(r.CO2eq)]);
  };
  const teamDayGrams = async (day: number) => {
    const body = (
      await http()
        .get(`/api/v1/usage?groupBy=team&bucket=day&from=${iso(day)}&to=${iso(day + DAY)}`)
        .set(auth)
        .expect(200)
    ).body;
    return body.rows.reduce((s: number, r: { co2eqKg: number }) => s + r.co2eqKg, 0);
  };

  it('reads whole days from the daily rollups, equal to the minutes, once the fold and a pass have derived them', async () => {
    for (const [id, region, pue] of [
      [
        'fra',
        'DE',
        {
          pueSchedule: [
            { validFrom: iso(DAY0), pue: 1.3 },
            { validFrom: iso(DAY0 + DAY + 7.5 * HOUR), pue: 1.1 },
          ],
        },
      ],
      ['par', 'FR', { pue: 1.2 }],
    ] as const)
      await http()
        .post('/api/v1/sites')
        .set(auth)
        .send({ id, name: id, region, ...pue })
        .expect(201);
    await http().put(`/api/v1/nodes/${agents[0].node}/site`).set(auth).send({ siteId: 'fra' }).expect(200);
    await http().put(`/api/v1/nodes/${agents[1].node}/site`).set(auth).send({ siteId: 'par' }).expect(200);
    // intensity over day 1 and half of day 2; the other hours are priced with yearly averages (estimated)
    await importIntensity(intensityCsv('DE', DAY0 + DAY, DAY0 + 2 * DAY + 12 * HOUR, random));
    await importIntensity(intensityCsv('FR', DAY0 + DAY, DAY0 + 2 * DAY + 12 * HOUR, random));
    for (const b of shuffle(batches, random)) await producer.addBatch(b);
    await waitFor('the history committed', async () => (await committed()) === batches.length, 90_000);
    await describeJobs(
      (await db.db.selectFrom('jobs').select('id').orderBy('id').execute()).map((j) => j.id),
      0,
    );
    await rollups.maintain(Date.now());
    // every day with energy is marked until derived; reads by day take them from the hours meanwhile
    expect(await markedDays()).toEqual([DAY0, DAY0 + DAY, DAY0 + 2 * DAY, DAY0 + 3 * DAY]);
    await expectAsMinutes();
    expect(await deriveAll()).toBe(4);
    expect(await markedDays()).toEqual([]);
    await expectJobTotalsOfDailyRows(db.db);
    // jobs on two sites (one job on the GPUs of two nodes) have no one site: summed from their days
    expect((await db.db.selectFrom('energy_job_total').select('job_id').where('site_key', 'is', null).execute()).length).toBeGreaterThan(0);
    const metrics = (await http().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^wattprint_daily_rollup_marked_days 0$/m);
    expect(metrics).toMatch(/^wattprint_daily_rollup_derived_days_total 4$/m);
    const dailyRows = await db.db.selectFrom('energy_group_daily').select('day_start').distinct().orderBy('day_start').execute();
    expect(dailyRows.map((r) => Number(r.day_start))).toEqual([DAY0, DAY0 + DAY, DAY0 + 2 * DAY, DAY0 + 3 * DAY]);
    await expectAsMinutes();

    // the reads do come from the daily rows: doubled by hand, a day's CO2eq doubles; marked, it is
    // read from the hours again; derived, the daily rows are right again
    const day1 = DAY0 + DAY;
    const grams = await teamDayGrams(day1);
    expect(grams).toBeGreaterThan(0);
    const panelKg = await orgDayCo2(day1);
    await db.db
      .updateTable('energy_group_daily')
      .set((eb) => ({ grams: eb('grams', '*', 2) }))
      .where('day_start', '=', day1)
      .execute();
    expectClose(await teamDayGrams(day1), 2 * grams);
    expectClose(
      await orgDayCo2(day1),
      panelKg.map((kg) => 2 * kg),
    );
    await markDaysDirty(db.db, [day1 + 5 * HOUR]);
    expectClose(await teamDayGrams(day1), grams);
    expectClose(await orgDayCo2(day1), panelKg);
    await deriveAll();
    expectClose(await teamDayGrams(day1), grams);

    // top jobs read whole jobs' totals: doubled by hand, their CO2eq doubles; with their days marked,
    // summed from the hours; derived, the totals are right again
    const top = await topJobsCo2();
    await db.db
      .updateTable('energy_job_total')
      .set((eb) => ({ grams: eb('grams', '*', 2) }))
      .where('site_key', 'is not', null)
      .where('first_day', '>=', DAY0 + DAY)
      .where('last_day', '<', DAY0 + 3 * DAY)
      .execute();
    if (dialect === 'postgres') {
      expect(top.length).toBe(20);
      const doubled = await topJobsCo2();
      expect(
        doubled.filter(([job, kg]) =>
          top.some(([j, k]) => j === job && Math.abs((kg as number) - 2 * (k as number)) < 1e-9 * (k as number)),
        ).length,
      ).toBeGreaterThan(0);
    }
    await markDaysDirty(db.db, [day1, day1 + DAY]);
    expectClose(await topJobsCo2(), top);
    await deriveAll();
    expectClose(await topJobsCo2(), top);
    await expectJobTotalsOfDailyRows(db.db);
    expect(
      (
        await http()
          .get(`/api/v1/usage?groupBy=team&bucket=day&from=${iso(DAY0)}&to=${iso(DAY0 + 4 * DAY)}`)
          .set(auth)
          .expect(200)
      ).body.estimatedHours.length,
    ).toBeGreaterThan(24);
  });

  it('stays exact through late batches, job events, node moves, intensity, PUE and region changes, and new rules', async () => {
    const jobIds = (await db.db.selectFrom('jobs').select('id').orderBy('id').execute()).map((j) => j.id);
    const changes: Array<[string, () => Promise<unknown>]> = [
      ['late batches', () => deliverCopies(batches.filter(() => random() < 0.03))],
      [
        'job events',
        () =>
          describeJobs(
            jobIds.filter(() => random() < 0.4),
            1,
          ),
      ],
      ['a late batch of a small job, on a day it had not run', () => lateRunOfSmallJob()],
      ['a node move', () => http().put(`/api/v1/nodes/${agents[2].node}/site`).set(auth).send({ siteId: 'par' }).expect(200)],
      ['revised intensity', () => importIntensity(intensityCsv('DE', DAY0 + DAY + 6 * HOUR, DAY0 + DAY + 9 * HOUR, random))],
      [
        'a PUE schedule',
        () =>
          http()
            .put('/api/v1/sites/par/pue')
            .set(auth)
            .send({ pueSchedule: [{ validFrom: iso(DAY0 + 2 * DAY + 1 * HOUR), pue: 1.45 }] })
            .expect(200),
      ],
      ['a region', () => http().patch('/api/v1/sites/fra').set(auth).send({ region: 'FR' }).expect(200)],
      [
        'new pricing rules',
        () =>
          db.db
            .updateTable('rollup_state')
            .set({ daily_rules: 'rules of an older collector' })
            .execute()
            .then(() => daily.derive(0)),
      ],
    ];
    for (const [what, change] of changes) {
      await change();
      await expectExactAroundDerive(what);
    }
  });

  it('stays exact when passes run while late batches and intensity land', async () => {
    const late = batches.filter(() => random() < 0.05);
    await Promise.all([
      deliverCopies(late),
      importIntensity(intensityCsv('FR', DAY0 + 2 * DAY, DAY0 + 3 * DAY, random)),
      (async () => {
        for (let pass = 0; pass < 6; pass++) await daily.derive(1);
      })(),
    ]);
    await expectExactAroundDerive('concurrent changes and passes', { marked: false });
  });
});
