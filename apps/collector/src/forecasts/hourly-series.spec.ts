import { HOUR_MS, type IntensityPeriod } from '@wattprint/carbon';
import { hourlySeries } from './hourly-series';

const H = HOUR_MS;
const p = (start: number, end: number, gPerKwh: number, kind: 'actual' | 'forecast' = 'actual'): IntensityPeriod => ({
  periodStart: start,
  periodEnd: end,
  gPerKwh,
  kind,
  source: 't',
  revisedAt: 0,
});

describe('hourlySeries', () => {
  it('averages finer periods into hours, prefers actual over forecast, and stops at the first uncovered hour', () => {
    const periods = [p(0, H, 400), p(0, H, 999, 'forecast'), p(H, 1.5 * H, 100), p(1.5 * H, 2 * H, 300), p(3 * H, 4 * H, 50)];
    expect(hourlySeries(periods, 0, 10)).toEqual({ startMs: 0, gPerKWh: [400, 200] });
    expect(hourlySeries(periods, 0, 1)).toEqual({ startMs: 0, gPerKWh: [400] });
  });

  it('is null when the first hour has no data', () => {
    expect(hourlySeries([p(H, 2 * H, 10)], 0, 5)).toBeNull();
  });
});
