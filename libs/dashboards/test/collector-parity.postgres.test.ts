// A pure lib's tests need the real schema: libs/db is used here only, never by src.
import { type DatabaseHandle, connect, migrateToLatest } from '@wattprint/db';
import { type TestDatabase, createTestDatabase } from '@wattprint/db/testing';
import { sql } from 'kysely';
// The rules the collector prices with (libs/carbon), so the SQL is checked against the code it must
// agree with rather than against a third copy of the rules.
import { HOUR_MS, type IntensityPeriod, MINUTE_MS, type PueStep, resolveHourFactors } from '@wattprint/carbon';
import { hourFactorsCtes } from '../src/sql/emission-factors.sql';
import { collectorYearlyAverages } from './support/dashboard-queries';

const HOUR = HOUR_MS;
const MIN = MINUTE_MS;
const H = Date.UTC(2026, 2, 29, 0);
const HOURS = [0, 1, 2, 3, 4, 5].map((i) => H + i * HOUR);
const REGIONS = ['DE', 'US-CAL-CISO', 'gb', 'NL', 'FR'];

/** Deterministic PRNG (mulberry32), so a failing trial can be replayed from its number. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World {
  sites: Array<{ id: string; region: string; pue: PueStep[] }>;
  nodes: Array<{ name: string; siteId: string | null }>;
  periods: Array<IntensityPeriod & { region: string }>;
}

function randomWorld(seed: number): World {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const sites = [0, 1, 2].slice(0, 1 + Math.floor(r() * 3)).map((i) => {
    const steps = new Map<number, number>();
    for (let k = Math.floor(r() * 4); k > 0; k--)
      steps.set(H - 2 * HOUR + Math.floor(r() * 10 * 60) * MIN, 1 + Math.round(r() * 100) / 100);
    return {
      id: `s${i}`,
      region: pick(REGIONS),
      pue: [...steps].sort((a, b) => a[0] - b[0]).map(([validFrom, pue]) => ({ validFrom, pue })),
    };
  });
  const nodes = ['n0', 'n1', 'n2', 'n3'].map((name) => ({ name, siteId: r() < 0.15 ? null : pick(sites).id }));
  const periods: World['periods'] = [];
  const keys = new Set<string>();
  for (const region of REGIONS) {
    for (let k = Math.floor(r() * 14); k > 0; k--) {
      const kind = r() < 0.5 ? 'actual' : 'forecast';
      const length = pick([15, 30, 60, 60, 120]) * MIN;
      const periodStart = H - HOUR + Math.floor(r() * 7 * 4) * 15 * MIN;
      const key = `${region}/${kind}/${periodStart}`;
      if (keys.has(key)) continue;
      keys.add(key);
      periods.push({
        region,
        periodStart,
        periodEnd: periodStart + length,
        gPerKwh: Math.round(r() * 8000) / 10,
        kind,
        source: 'test',
        revisedAt: H + Math.floor(r() * 5) * HOUR,
      });
    }
  }
  return { sites, nodes, periods };
}

let testDb: TestDatabase;
let handle: DatabaseHandle;

beforeAll(async () => {
  testDb = await createTestDatabase('postgres');
  handle = connect({ url: testDb.url, poolSize: 2 });
  await migrateToLatest(handle.db, handle.dialect);
});

afterAll(async () => {
  await handle?.close();
  await testDb?.drop();
});

async function load(world: World): Promise<void> {
  const db = handle.db;
  for (const table of ['site_pue', 'nodes', 'sites', 'grid_intensity'] as const) await db.deleteFrom(table).execute();
  await db
    .insertInto('sites')
    .values(world.sites.map((s) => ({ id: s.id, name: s.id, region: s.region, created_at: 0 })))
    .execute();
  const steps = world.sites.flatMap((s) => s.pue.map((p) => ({ site_id: s.id, valid_from: p.validFrom, pue: p.pue })));
  if (steps.length > 0) await db.insertInto('site_pue').values(steps).execute();
  await db
    .insertInto('nodes')
    .values(world.nodes.map((n) => ({ name: n.name, site_id: n.siteId })))
    .execute();
  if (world.periods.length > 0) {
    await db
      .insertInto('grid_intensity')
      .values(
        world.periods.map((p) => ({
          region: p.region,
          period_start: p.periodStart,
          period_end: p.periodEnd,
          g_per_kwh: p.gPerKwh,
          source: p.source,
          kind: p.kind,
          revised_at: p.revisedAt,
        })),
      )
      .execute();
  }
}

describe('the SQL hour factors agree with the collector on random sites, schedules and series', () => {
  const yearly = collectorYearlyAverages();
  // 'ghost' has no nodes row at all: PUE 1 and WORLD, like a node never assigned.
  const nodeHours = ['n0', 'n1', 'n2', 'n3', 'ghost'].flatMap((node) => HOURS.map((hourStart) => ({ node, hourStart })));
  const values = nodeHours.map((k) => `('${k.node}', ${k.hourStart}::bigint)`).join(', ');
  const query = `WITH node_hours(node, hour_start) AS (VALUES ${values}),\n${hourFactorsCtes(yearly)}\nSELECT node, hour_start, pue, g_per_kwh, estimated FROM hour_factors`;

  const seen = { measured: 0, fallback: 0, partialPue: 0 };

  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('trial %i', async (seed) => {
    const world = randomWorld(seed);
    await load(world);
    const { rows } = await sql
      .raw<{ node: string; hour_start: number; pue: number; g_per_kwh: number; estimated: boolean }>(query)
      .execute(handle.db);
    const fromSql = new Map(rows.map((r) => [`${r.node}@${Number(r.hour_start)}`, r]));

    const periods = new Map<string, IntensityPeriod[]>();
    for (const p of [...world.periods].sort((a, b) => a.periodStart - b.periodStart))
      periods.set(p.region, [...(periods.get(p.region) ?? []), p]);
    const expected = resolveHourFactors(nodeHours, {
      nodeSites: new Map(world.nodes.map((n) => [n.name, n.siteId])),
      sites: new Map(world.sites.map((s) => [s.id, { region: s.region, pue: s.pue }])),
      periods,
    });

    expect(fromSql.size).toBe(expected.size);
    for (const [key, f] of expected) {
      seen[f.estimated ? 'fallback' : 'measured']++;
      if (!Number.isInteger(f.pue * 100)) seen.partialPue++;
      const got = fromSql.get(key);
      expect({ key, pue: Number(got?.pue), gPerKwh: Number(got?.g_per_kwh), estimated: got?.estimated }).toEqual({
        key,
        pue: expect.closeTo(f.pue, 9),
        gPerKwh: expect.closeTo(f.gPerKwh, 9),
        estimated: f.estimated,
      });
    }
  });

  it('exercised measured and fallback intensity and PUE changes inside an hour', () => {
    expect(seen.measured).toBeGreaterThan(100);
    expect(seen.fallback).toBeGreaterThan(100);
    expect(seen.partialPue).toBeGreaterThan(10);
  });
});
