import { type DatabaseHandle, connect, migrateToLatest } from '@wattprint/db';
import { DIALECTS, type TestDatabase, createTestDatabase } from '@wattprint/db/testing';
import { CarbonService } from '../src/carbon/carbon.service';
import { IntensityRepository } from '../src/carbon/intensity/intensity.repository';
import { SiteRepository } from '../src/carbon/sites/site.repository';
import { HOUR_MS } from '@wattprint/carbon';

const H = HOUR_MS;
const T0 = Date.UTC(2026, 10, 20, 10); // 2026-11-20T10:00Z
const key = (node: string, hour: number) => `${node}@${hour}`;

describe.each(DIALECTS)('emission factors on %s', (dialect) => {
  let testDb: TestDatabase;
  let handle: DatabaseHandle;
  let sites: SiteRepository;
  let intensity: IntensityRepository;
  let carbon: CarbonService;

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    handle = connect({ url: testDb.url });
    await migrateToLatest(handle.db, handle.dialect);
    sites = new SiteRepository(handle);
    intensity = new IntensityRepository(handle);
    carbon = new CarbonService(sites, intensity);

    // fra: region DE, PUE 1.2 until T0+1h, then 1.4. lon: region GB, half-hourly series.
    await sites.create({ id: 'fra', name: 'Frankfurt', region: 'DE', createdAt: 0 }, [
      { validFrom: 0, pue: 1.2 },
      { validFrom: T0 + H, pue: 1.4 },
    ]);
    await sites.create({ id: 'lon', name: 'London', region: 'GB', createdAt: 0 }, [{ validFrom: 0, pue: 1.1 }]);
    await sites.assignNode('gpu-a', 'fra');
    await sites.assignNode('gpu-b', 'lon');
    await sites.assignNode('gpu-loose', null);
    await intensity.upsert([
      { region: 'DE', periodStart: T0, periodEnd: T0 + H, gPerKwh: 400, kind: 'actual', source: 'electricitymaps', revisedAt: 1 },
      { region: 'DE', periodStart: T0 + H, periodEnd: T0 + 2 * H, gPerKwh: 300, kind: 'actual', source: 'electricitymaps', revisedAt: 1 },
      // A forecast for an hour the actual also covers: the actual must win.
      { region: 'DE', periodStart: T0, periodEnd: T0 + H, gPerKwh: 999, kind: 'forecast', source: 'electricitymaps', revisedAt: 1 },
      // A forecast-only hour.
      {
        region: 'DE',
        periodStart: T0 + 2 * H,
        periodEnd: T0 + 3 * H,
        gPerKwh: 350,
        kind: 'forecast',
        source: 'electricitymaps',
        revisedAt: 1,
      },
      { region: 'GB', periodStart: T0, periodEnd: T0 + H / 2, gPerKwh: 146, kind: 'actual', source: 'uk-carbon-intensity', revisedAt: 1 },
      {
        region: 'GB',
        periodStart: T0 + H / 2,
        periodEnd: T0 + H,
        gPerKwh: 151,
        kind: 'actual',
        source: 'uk-carbon-intensity',
        revisedAt: 1,
      },
    ]);
  });

  afterAll(async () => {
    await handle.close();
    await testDb.drop();
  });

  it('computes CO2eq across an hour boundary and a PUE change', async () => {
    const f = await carbon.hourFactors([
      { node: 'gpu-a', hourStart: T0 },
      { node: 'gpu-a', hourStart: T0 + H },
    ]);
    expect(f.get(key('gpu-a', T0))).toEqual({
      siteId: 'fra',
      region: 'DE',
      pue: 1.2,
      gPerKwh: 400,
      estimated: false,
      source: 'electricitymaps',
    });
    expect(f.get(key('gpu-a', T0 + H))).toMatchObject({ pue: 1.4, gPerKwh: 300, estimated: false });
    // 1.8 MJ = 0.5 kWh in each hour: 0.5 × 1.2 × 400 = 240 g; 0.5 × 1.4 × 300 = 210 g.
    const grams = carbon.co2eqGrams(1.8e6, f.get(key('gpu-a', T0))!) + carbon.co2eqGrams(1.8e6, f.get(key('gpu-a', T0 + H))!);
    expect(grams).toBeCloseTo(450, 9);
  });

  it('uses the forecast where no actual exists, marked in the source', async () => {
    const f = (await carbon.hourFactors([{ node: 'gpu-a', hourStart: T0 + 2 * H }])).get(key('gpu-a', T0 + 2 * H))!;
    expect(f).toMatchObject({ gPerKwh: 350, estimated: false, source: 'electricitymaps (forecast)' });
  });

  it('averages a half-hourly series over the hour', async () => {
    const f = (await carbon.hourFactors([{ node: 'gpu-b', hourStart: T0 }])).get(key('gpu-b', T0))!;
    expect(f.gPerKwh).toBeCloseTo(148.5, 12);
    // 3.6 MJ = 1 kWh × 1.1 × 148.5 = 163.35 g
    expect(carbon.co2eqGrams(3.6e6, f)).toBeCloseTo(163.35, 9);
  });

  it('changes the result when a provider revises a value, with nothing re-ingested', async () => {
    const before = (await carbon.hourFactors([{ node: 'gpu-a', hourStart: T0 }])).get(key('gpu-a', T0))!;
    expect(carbon.co2eqGrams(3.6e6, before)).toBeCloseTo(480, 9); // 1 kWh × 1.2 × 400
    await intensity.upsert([
      { region: 'DE', periodStart: T0, periodEnd: T0 + H, gPerKwh: 420, kind: 'actual', source: 'electricitymaps', revisedAt: 2 },
    ]);
    const after = (await carbon.hourFactors([{ node: 'gpu-a', hourStart: T0 }])).get(key('gpu-a', T0))!;
    expect(carbon.co2eqGrams(3.6e6, after)).toBeCloseTo(504, 9); // 1 kWh × 1.2 × 420
    const stored = await intensity.range('DE', T0, T0 + H, 'actual');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ gPerKwh: 420, revisedAt: 2 });
  });

  it('falls back to the yearly average for an hour without data, flagged estimated', async () => {
    const hour = T0 + 48 * H;
    const f = (await carbon.hourFactors([{ node: 'gpu-a', hourStart: hour }])).get(key('gpu-a', hour))!;
    expect(f).toEqual({ siteId: 'fra', region: 'DE', pue: 1.4, gPerKwh: 381, estimated: true, source: 'yearly-average:DE' });
  });

  it('gives unassigned and unknown nodes PUE 1 and the WORLD average', async () => {
    const f = await carbon.hourFactors([
      { node: 'gpu-loose', hourStart: T0 },
      { node: 'gpu-unknown', hourStart: T0 },
    ]);
    for (const node of ['gpu-loose', 'gpu-unknown']) {
      expect(f.get(key(node, T0))).toEqual({
        siteId: null,
        region: null,
        pue: 1,
        gPerKwh: 475,
        estimated: true,
        source: 'unassigned-node',
      });
    }
  });

  it('follows a new PUE schedule and a node moved to another site at once', async () => {
    await sites.replacePueSchedule('lon', [{ validFrom: 0, pue: 1.5 }]);
    await sites.assignNode('gpu-a', 'lon');
    const f = (await carbon.hourFactors([{ node: 'gpu-a', hourStart: T0 }])).get(key('gpu-a', T0))!;
    expect(f).toMatchObject({ siteId: 'lon', region: 'GB', pue: 1.5 });
    expect(f.gPerKwh).toBeCloseTo(148.5, 12);
    await sites.assignNode('gpu-a', 'fra');
  });

  it('answers many keys, one factor per distinct node-hour', async () => {
    const keys = Array.from({ length: 2000 }, (_, i) => ({
      node: Math.floor(i / 24) % 2 ? 'gpu-a' : 'gpu-b',
      hourStart: T0 + (i % 24) * H,
    }));
    const f = await carbon.hourFactors(keys);
    expect(f.size).toBe(48);
    expect(await carbon.hourFactors([])).toEqual(new Map());
  });

  it('deleting a site unassigns its nodes and drops its schedule', async () => {
    await sites.create({ id: 'tmp', name: 'Temp', region: 'PL', createdAt: 0 }, [{ validFrom: 0, pue: 2 }]);
    await sites.assignNode('gpu-tmp', 'tmp');
    expect(await sites.delete('tmp')).toBe(true);
    expect((await sites.nodeSites(['gpu-tmp'])).get('gpu-tmp')).toBeNull();
    expect((await sites.pueSchedules(['tmp'])).get('tmp')).toEqual([]);
    expect(await sites.delete('tmp')).toBe(false);
  });
});
