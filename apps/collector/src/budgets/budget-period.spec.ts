import { budgetFigures, crossedThresholds, periodAt, remainingOfForecast } from './budget-period';

const DAY = 86_400_000;

describe('periodAt', () => {
  it('takes the UTC calendar month or quarter holding now', () => {
    const now = Date.parse('2026-11-15T12:00:00Z');
    expect(periodAt('month', now)).toEqual({ start: Date.parse('2026-11-01T00:00:00Z'), end: Date.parse('2026-12-01T00:00:00Z') });
    expect(periodAt('quarter', now)).toEqual({ start: Date.parse('2026-10-01T00:00:00Z'), end: Date.parse('2027-01-01T00:00:00Z') });
    expect(periodAt('month', Date.parse('2026-12-31T23:59:59Z')).end).toBe(Date.parse('2027-01-01T00:00:00Z'));
  });

  it('keeps a custom period whatever now is', () => {
    expect(periodAt('custom', 5, { from: 10, to: 20 })).toEqual({ start: 10, end: 20 });
    expect(() => periodAt('custom', 5, { from: null, to: 20 })).toThrow(/from and to/);
  });
});

describe('budgetFigures', () => {
  it('projects the burn rate to the end of the period and adds running forecasts', () => {
    const f = budgetFigures(100, 30, { start: 0, end: 30 * DAY }, 10 * DAY, 5);
    expect(f.remaining).toBe(70);
    expect(f.burnRatePerDay).toBe(3);
    expect(f.daysLeft).toBe(20);
    expect(f.projected).toBe(30 + 60 + 5);
    expect(f.projectedRatio).toBeCloseTo(0.95);
  });

  it('has no burn rate before the period starts and projects nothing more after it ends', () => {
    expect(budgetFigures(100, 0, { start: 10 * DAY, end: 20 * DAY }, 0, 4)).toMatchObject({ burnRatePerDay: 0, projected: 4 });
    expect(budgetFigures(100, 50, { start: 0, end: 10 * DAY }, 30 * DAY, 4)).toMatchObject({
      burnRatePerDay: 5,
      projected: 50,
      daysLeft: 0,
    });
  });
});

describe('remainingOfForecast', () => {
  it('scales p50 by the share of the forecast duration still to run', () => {
    expect(remainingOfForecast(10, 4, 0, 3_600_000)).toBe(7.5);
    expect(remainingOfForecast(10, 4, 0, 10 * 3_600_000)).toBe(0);
    expect(remainingOfForecast(10, 0, 0, 0)).toBe(0);
  });
});

describe('crossedThresholds', () => {
  it('lists the thresholds at or below the ratio', () => {
    expect(crossedThresholds([0.8, 1], 0.79)).toEqual([]);
    expect(crossedThresholds([0.8, 1], 0.8)).toEqual([0.8]);
    expect(crossedThresholds([0.8, 1], 1.2)).toEqual([0.8, 1]);
  });
});
