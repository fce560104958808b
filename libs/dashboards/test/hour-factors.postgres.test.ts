// A pure lib's tests need the real schema: libs/db is used here only, never by src.
import { type DatabaseHandle, connect, migrateToLatest } from '@wattprint/db';
import { type TestDatabase, createTestDatabase } from '@wattprint/db/testing';
import { sql } from 'kysely';
import { hourFactorsCtes } from '../src/sql/emission-factors.sql';
import { collectorYearlyAverages } from './support/dashboard-queries';
import { HOUR_MS, MINUTE_MS } from '@wattprint/carbon';

const HOUR = HOUR_MS;
const MIN = MINUTE_MS;
const H = Date.UTC(2026, 5, 1, 12);

let testDb: TestDatabase;
let handle: DatabaseHandle;

interface Factor {
  pue: number;
  g_per_kwh: number;
  estimated: boolean;
  site_id: string | null;
}

/** The factors of (node, hour) pairs, straight from the generated CTEs. */
async function factors(pairs: Array<[string, number]>): Promise<Map<string, Factor>> {
  const values = pairs.map(([node, hour]) => `('${node}', ${hour}::bigint)`).join(', ');
  const text = `WITH node_hours(node, hour_start) AS (VALUES ${values}),\n${hourFactorsCtes(collectorYearlyAverages())}\nSELECT * FROM hour_factors`;
  const { rows } = await sql.raw<Factor & { node: string; hour_start: number }>(text).execute(handle.db);
  return new Map(
    rows.map((r) => [
      `${r.node}@${Number(r.hour_start)}`,
      { pue: Number(r.pue), g_per_kwh: Number(r.g_per_kwh), estimated: r.estimated, site_id: r.site_id },
    ]),
  );
}

beforeAll(async () => {
  testDb = await createTestDatabase('postgres');
  handle = connect({ url: testDb.url, poolSize: 2 });
  await migrateToLatest(handle.db, handle.dialect);
  const site = (id: string, region: string) => ({ id, name: id, region, created_at: 0 });
  await handle.db
    .insertInto('sites')
    .values([site('par', 'FR'), site('ams', 'NL'), site('lon', 'GB'), site('sea', 'us_west'), site('xx', 'XX'), site('late', 'FR')])
    .execute();
  await handle.db
    .insertInto('nodes')
    .values(['par', 'ams', 'lon', 'sea', 'xx', 'late'].map((s) => ({ name: `n-${s}`, site_id: s })))
    .execute();
  await handle.db
    .insertInto('site_pue')
    .values([
      { site_id: 'late', valid_from: H + 2 * HOUR, pue: 1.3 },
      { site_id: 'late', valid_from: H + 3 * HOUR, pue: 1.6 },
      { site_id: 'par', valid_from: 0, pue: 1.1 },
      { site_id: 'par', valid_from: H + 15 * MIN, pue: 1.2 },
      { site_id: 'par', valid_from: H + 45 * MIN, pue: 1.4 },
    ])
    .execute();
  const p = (region: string, start: number, end: number, g: number, kind: 'actual' | 'forecast', revised: number) => ({
    region,
    period_start: start,
    period_end: end,
    g_per_kwh: g,
    source: 'test',
    kind,
    revised_at: revised,
  });
  await handle.db
    .insertInto('grid_intensity')
    .values([
      // FR, hour H: only the first quarter is covered.
      p('FR', H, H + 15 * MIN, 60, 'actual', H),
      // NL, hour H: an hourly actual, and a newer quarter-hour actual over part of it.
      p('NL', H, H + HOUR, 100, 'actual', H),
      p('NL', H + 15 * MIN, H + 30 * MIN, 200, 'actual', H + 1),
      // NL, hour H+1: the quarter-hour actual is older than the hourly one, so the hourly one wins.
      p('NL', H + HOUR, H + 2 * HOUR, 100, 'actual', H + 5 * HOUR),
      p('NL', H + HOUR + 15 * MIN, H + HOUR + 30 * MIN, 200, 'actual', H + HOUR),
      // NL, hour H+2: forecasts only, the newer revision counts.
      p('NL', H + 2 * HOUR, H + 3 * HOUR, 300, 'forecast', H),
      p('NL', H + 2 * HOUR + 30 * MIN, H + 3 * HOUR, 500, 'forecast', H + 1),
    ])
    .execute();
});

afterAll(async () => {
  await handle?.close();
  await testDb?.drop();
});

describe('hour factors in SQL follow the collector rules', () => {
  it('averages intensity over the covered part of the hour only', async () => {
    const f = await factors([['n-par', H]]);
    expect(f.get(`n-par@${H}`)).toEqual({
      pue: expect.closeTo((15 * 1.1 + 30 * 1.2 + 15 * 1.4) / 60, 12),
      g_per_kwh: 60,
      estimated: false,
      site_id: 'par',
    });
  });

  it('lets the newest revision win where actual periods overlap, and actual beat forecast', async () => {
    const f = await factors([
      ['n-ams', H],
      ['n-ams', H + HOUR],
      ['n-ams', H + 2 * HOUR],
    ]);
    expect(f.get(`n-ams@${H}`)!.g_per_kwh).toBeCloseTo((45 * 100 + 15 * 200) / 60, 12);
    expect(f.get(`n-ams@${H + HOUR}`)!.g_per_kwh).toBeCloseTo(100, 12);
    expect(f.get(`n-ams@${H + 2 * HOUR}`)!.g_per_kwh).toBeCloseTo((30 * 300 + 30 * 500) / 60, 12);
    expect(f.get(`n-ams@${H}`)!.pue).toBe(1);
  });

  it('falls back to the yearly average of the region, its parent zone, then WORLD', async () => {
    const f = await factors([
      ['n-lon', H],
      ['n-sea', H],
      ['n-xx', H],
      ['n-ams', H + 9 * HOUR],
      ['nowhere', H],
    ]);
    expect(f.get(`n-lon@${H}`)).toMatchObject({ g_per_kwh: 237.6, estimated: true });
    expect(f.get(`n-sea@${H}`)).toMatchObject({ g_per_kwh: 369.5, estimated: true });
    expect(f.get(`n-xx@${H}`)).toMatchObject({ g_per_kwh: 475, estimated: true });
    // NL is not in the table: WORLD.
    expect(f.get(`n-ams@${H + 9 * HOUR}`)).toMatchObject({ g_per_kwh: 475, estimated: true });
    expect(f.get(`nowhere@${H}`)).toEqual({ pue: 1, g_per_kwh: 475, estimated: true, site_id: null });
  });

  it('holds the first PUE step before its start and each step until the next', async () => {
    const f = await factors([
      ['n-late', H],
      ['n-late', H + 2 * HOUR],
      ['n-late', H + 3 * HOUR],
      ['n-late', H + 50 * HOUR],
    ]);
    expect([H, H + 2 * HOUR, H + 3 * HOUR, H + 50 * HOUR].map((h) => f.get(`n-late@${h}`)!.pue)).toEqual([1.3, 1.3, 1.6, 1.6]);
  });
});
