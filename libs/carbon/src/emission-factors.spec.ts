import { type IntensityPeriod, co2eqGrams, meanIntensity, meanPue } from './emission-factors';
import { hourSpan, resolveHourFactors } from './hour-factors';
import { HOUR_MS, JOULES_PER_KWH, MINUTE_MS } from './units';
import { yearlyAverage } from './yearly-average';

const H = HOUR_MS;
const T0 = Date.UTC(2026, 10, 20, 10); // 2026-11-20T10:00Z
const period = (start: number, end: number, g: number, extra: Partial<IntensityPeriod> = {}): IntensityPeriod => ({
  periodStart: start,
  periodEnd: end,
  gPerKwh: g,
  kind: 'actual',
  source: 'test',
  revisedAt: 0,
  ...extra,
});

describe('co2eqGrams', () => {
  it('is kWh × PUE × g/kWh', () => {
    // 7.2 MJ = 2 kWh; × 1.5 PUE = 3 kWh facility; × 400 g/kWh = 1200 g.
    expect(co2eqGrams(7.2e6, { pue: 1.5, gPerKwh: 400 })).toBeCloseTo(1200, 9);
    expect(co2eqGrams(0, { pue: 1.5, gPerKwh: 400 })).toBe(0);
  });
});

describe('meanPue', () => {
  const steps = [
    { validFrom: 0, pue: 1.2 },
    { validFrom: T0 + H, pue: 1.5 },
  ];
  it('takes the step holding the whole hour', () => {
    expect(meanPue(steps, T0, T0 + H)).toBeCloseTo(1.2, 12);
    expect(meanPue(steps, T0 + H, T0 + 2 * H)).toBeCloseTo(1.5, 12);
  });
  it('weights a change inside the hour by time', () => {
    const mid = [
      { validFrom: 0, pue: 1.2 },
      { validFrom: T0 + 15 * MINUTE_MS, pue: 1.6 },
    ];
    // 15 min at 1.2 + 45 min at 1.6 = (0.3 + 1.2) = 1.5
    expect(meanPue(mid, T0, T0 + H)).toBeCloseTo(1.5, 12);
  });
  it('extends the first step backwards', () => {
    expect(meanPue([{ validFrom: T0 + 5 * H, pue: 1.3 }], T0, T0 + H)).toBeCloseTo(1.3, 12);
  });
});

describe('meanIntensity', () => {
  it('weights half-hourly periods by time', () => {
    const r = meanIntensity([period(T0, T0 + H / 2, 146), period(T0 + H / 2, T0 + H, 151)], T0, T0 + H)!;
    expect(r.gPerKwh).toBeCloseTo(148.5, 12);
    expect(r.coverage).toBe(1);
  });
  it('weights 5-minute points', () => {
    const pts = [100, 100, 100, 100, 100, 100, 200, 200, 200, 200, 200, 200].map((g, i) =>
      period(T0 + i * 300_000, T0 + (i + 1) * 300_000, g),
    );
    expect(meanIntensity(pts, T0, T0 + H)!.gPerKwh).toBeCloseTo(150, 12);
  });
  it('prefers actual over forecast for the same instant', () => {
    const r = meanIntensity([period(T0, T0 + H, 300, { kind: 'forecast' }), period(T0, T0 + H / 2, 100)], T0, T0 + H)!;
    // first half actual 100, second half only the forecast 300
    expect(r.gPerKwh).toBeCloseTo(200, 12);
    expect(r.source).toBe('test+test (forecast)');
  });
  it('lets the newest revision win where two periods of one kind overlap', () => {
    const r = meanIntensity([period(T0, T0 + H, 400, { revisedAt: 1 }), period(T0, T0 + H / 2, 100, { revisedAt: 2 })], T0, T0 + H)!;
    expect(r.gPerKwh).toBeCloseTo(250, 12);
  });
  it('averages only the covered part of a partly covered hour', () => {
    const r = meanIntensity([period(T0 + H / 4, T0 + H / 2, 80)], T0, T0 + H)!;
    expect(r.gPerKwh).toBe(80);
    expect(r.coverage).toBe(0.25);
  });
  it('returns null when nothing covers the hour', () => {
    expect(meanIntensity([period(T0 - H, T0, 80)], T0, T0 + H)).toBeNull();
  });
});

describe('yearlyAverage', () => {
  it('uses the region, else its parent zone, else WORLD', () => {
    expect(yearlyAverage('DE')).toMatchObject({ region: 'DE', gPerKwh: 381 });
    expect(yearlyAverage('US-CAL-CISO')).toMatchObject({ region: 'US', gPerKwh: 369.5 });
    expect(yearlyAverage('XX-NOWHERE')).toMatchObject({ region: 'WORLD', gPerKwh: 475 });
    expect(yearlyAverage(null).region).toBe('WORLD');
    expect(yearlyAverage('DE').source).toMatch(/Ember/);
  });
});

describe('resolveHourFactors with hand-computed CO2eq', () => {
  const facts = {
    nodeSites: new Map<string, string | null>([
      ['n1', 's1'],
      ['n2', null],
    ]),
    sites: new Map([
      [
        's1',
        {
          region: 'DE',
          pue: [
            { validFrom: 0, pue: 1.2 },
            { validFrom: T0 + H, pue: 1.4 },
          ],
        },
      ],
    ]),
    periods: new Map([
      ['DE', [period(T0, T0 + H, 400, { source: 'electricitymaps' }), period(T0 + H, T0 + 2 * H, 300, { source: 'electricitymaps' })]],
    ]),
  };

  it('splits a job across an hour boundary and a PUE change', () => {
    const keys = [
      { node: 'n1', hourStart: T0 },
      { node: 'n1', hourStart: T0 + H },
    ];
    const f = resolveHourFactors(keys, facts);
    const a = f.get(`n1@${T0}`)!;
    const b = f.get(`n1@${T0 + H}`)!;
    expect(a).toEqual({ siteId: 's1', region: 'DE', pue: 1.2, gPerKwh: 400, estimated: false, source: 'electricitymaps' });
    expect(b.pue).toBeCloseTo(1.4, 12);
    // 1.8 MJ (0.5 kWh) in each hour: 0.5×1.2×400 = 240 g, 0.5×1.4×300 = 210 g; total 450 g.
    expect(co2eqGrams(1.8e6, a) + co2eqGrams(1.8e6, b)).toBeCloseTo(450, 9);
  });

  it('falls back to the yearly average for an hour without data, flagged estimated', () => {
    const f = resolveHourFactors([{ node: 'n1', hourStart: T0 + 5 * H }], facts).get(`n1@${T0 + 5 * H}`)!;
    expect(f).toEqual({ siteId: 's1', region: 'DE', pue: 1.4, gPerKwh: 381, estimated: true, source: 'yearly-average:DE' });
    // 3.6 MJ = 1 kWh × 1.4 × 381 = 533.4 g
    expect(co2eqGrams(JOULES_PER_KWH, f)).toBeCloseTo(533.4, 9);
  });

  it('gives a node without a site PUE 1 and the WORLD average', () => {
    for (const node of ['n2', 'never-seen']) {
      const f = resolveHourFactors([{ node, hourStart: T0 }], facts).get(`${node}@${T0}`)!;
      expect(f).toEqual({ siteId: null, region: null, pue: 1, gPerKwh: 475, estimated: true, source: 'unassigned-node' });
    }
  });

  it('finds long periods that start well before the hour', () => {
    const day = { ...facts, periods: new Map([['DE', [period(T0 - 10 * H, T0 + 14 * H, 222), period(T0 + 14 * H, T0 + 15 * H, 1)]]]) };
    expect(resolveHourFactors([{ node: 'n1', hourStart: T0 + 3 * H }], day).get(`n1@${T0 + 3 * H}`)!.gPerKwh).toBe(222);
  });

  it('spans the hours of its keys', () => {
    expect(
      hourSpan([
        { node: 'a', hourStart: T0 + H },
        { node: 'b', hourStart: T0 },
      ]),
    ).toEqual({ from: T0, to: T0 + 2 * H });
    expect(hourSpan([])).toBeNull();
  });
});
