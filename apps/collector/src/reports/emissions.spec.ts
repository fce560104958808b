import type { HourFactor } from './emission-factors';
import { emissionsOf, MissingFactorError, nodeHoursOf } from './emissions';
import { usageReport } from './usage-report';
import { HOUR_MS } from '@wattprint/carbon';

const H = HOUR_MS;
const f = (pue: number, gPerKwh: number, estimated = false): HourFactor => ({
  siteId: 's',
  region: 'R',
  pue,
  gPerKwh,
  estimated,
  source: 't',
});

describe('emissionsOf', () => {
  it('applies each (node, hour) factor to its own energy', () => {
    const factors = new Map([
      ['a@0', f(1.5, 400)],
      [`a@${H}`, f(1.5, 200, true)],
      ['b@0', f(1, 100)],
    ]);
    const e = emissionsOf(
      [
        { node: 'a', hourStart: 0, joules: 3.6e6 },
        { node: 'a', hourStart: H, joules: 7.2e6 },
        { node: 'b', hourStart: 0, joules: 1.8e6 },
      ],
      factors,
    );
    expect(e.joules).toBe(12.6e6);
    expect(e.facilityJoules).toBeCloseTo(1.5 * 3.6e6 + 1.5 * 7.2e6 + 1.8e6, 6);
    // 1 kWh × 1.5 × 400 + 2 kWh × 1.5 × 200 + 0.5 kWh × 1 × 100
    expect(e.grams).toBeCloseTo(600 + 600 + 50, 9);
    expect(e.estimatedHours).toEqual([H]);
  });

  it('fails loudly when the factor source left a node-hour out', () => {
    expect(() => emissionsOf([{ node: 'x', hourStart: 0, joules: 1 }], new Map())).toThrow(MissingFactorError);
  });

  it('asks for each node-hour once', () => {
    expect(
      nodeHoursOf([
        { node: 'a', hourStart: 0, joules: 1 },
        { node: 'a', hourStart: 0, joules: 2 },
        { node: 'b', hourStart: 0, joules: 3 },
      ]),
    ).toEqual([
      { node: 'a', hourStart: 0 },
      { node: 'b', hourStart: 0 },
    ]);
  });
});

describe('usageReport', () => {
  it('orders rows by period, key (null last) and idle last, with idle share, GPU-hours and totals', () => {
    const sums = (key: string | null, idle: boolean, periodStart: number, joules: number, idleJoules: number, gpuMs: number) => ({
      key,
      idle,
      periodStart,
      joules,
      idleJoules,
      gpuMs,
      facilityJoules: joules * 2,
      grams: (joules / 3.6e6) * 2 * 100,
      estimated: key === 't2',
    });
    const report = usageReport(
      [
        sums(null, true, 0, 1.8e6, 1.8e6, 0),
        sums('t2', false, 0, 3.6e6, 0, 3.6e6),
        sums('t1', false, H, 3.6e6, 0, 0),
        sums('t1', false, 0, 3.6e6, 0, 1.8e6),
      ],
      [0],
    );
    expect(report.rows.map((r) => [r.period, r.key, r.idle])).toEqual([
      [new Date(0).toISOString(), 't1', false],
      [new Date(0).toISOString(), 't2', false],
      [new Date(0).toISOString(), null, true],
      [new Date(H).toISOString(), 't1', false],
    ]);
    expect(report.rows[2]).toMatchObject({ energyKWh: 0.5, facilityEnergyKWh: 1, co2eqKg: 0.1, idleShare: 1, estimated: false });
    expect(report.rows[1]).toMatchObject({ gpuHours: 1, estimated: true });
    expect(report.totals.energyKWh).toBeCloseTo(3.5, 12);
    expect(report.totals.co2eqKg).toBeCloseTo(0.7, 12);
    expect(report.totals.idleShare).toBeCloseTo(0.5 / 3.5, 12);
    expect(report.estimatedHours).toEqual([new Date(0).toISOString()]);
  });
});
