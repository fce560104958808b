import { bestStartHour, meanIntensityOver, seriesMean } from './intensity';

const H = 3_600_000;
const series = { startMs: 0, gPerKWh: [100, 200, 300, 400] };

describe('hourly intensity series', () => {
  it('weights each hour by the time the run spends in it', () => {
    expect(meanIntensityOver(series, 0, 2)).toEqual({ gPerKWh: 150, covered: true });
    // 30 min of hour 0, all of hour 1, 30 min of hour 2.
    expect(meanIntensityOver(series, 0.5 * H, 2).gPerKWh).toBeCloseTo((0.5 * 100 + 200 + 0.5 * 300) / 2, 12);
    expect(meanIntensityOver(series, 2 * H, 0)).toEqual({ gPerKWh: 300, covered: true });
  });

  it('counts hours outside the series at its mean and says so', () => {
    expect(seriesMean(series)).toBe(250);
    expect(meanIntensityOver(series, 3 * H, 2)).toEqual({ gPerKWh: (400 + 250) / 2, covered: false });
  });

  it('finds the best whole-hour start whose run fits in the series', () => {
    const s = { startMs: 0, gPerKWh: [500, 90, 80, 500, 10] };
    expect(bestStartHour(s, 2, 0, 10 * H)).toEqual({ startMs: H, gPerKWh: 85 });
    // A start that would run past the series is not chosen while one fits.
    expect(bestStartHour(s, 1, 0, 10 * H)).toEqual({ startMs: 4 * H, gPerKWh: 10 });
    expect(bestStartHour(s, 2, 2 * H, 2 * H)?.startMs).toBe(2 * H);
  });
});
