import { projectSearch } from './search-projection';

describe('projectSearch', () => {
  it('is the mean per ended trial times the planned trials, with an interval that narrows as trials end', () => {
    const two = projectSearch([1, 3], 10, 2);
    expect(two?.energyKWh.p50).toBe(20);
    const s = Math.SQRT2; // sample sd of 1 and 3
    const half = 1.2815515655446004 * s * Math.sqrt(8 + 64 / 2);
    expect(two?.energyKWh.p10).toBeCloseTo(20 - half, 12);
    expect(two?.energyKWh.p90).toBeCloseTo(20 + half, 12);
    const nine = projectSearch([1, 3, 1, 3, 1, 3, 1, 3, 2], 10, 9);
    expect(nine?.energyKWh.p50).toBeCloseTo(20, 12);
    expect((nine?.energyKWh.p90 as number) - (nine?.energyKWh.p10 as number)).toBeLessThan(
      (two?.energyKWh.p90 as number) - (two?.energyKWh.p10 as number),
    );
  });

  it('is exact once every planned trial has ended, and never projects below what was measured', () => {
    expect(projectSearch([2, 4, 6], 3, 3)?.energyKWh).toEqual({ p10: 12, p50: 12, p90: 12 });
    const wide = projectSearch([0.1, 10], 3, 2);
    expect(wide?.energyKWh.p10).toBeGreaterThanOrEqual(10.1);
  });

  it('counts trials beyond the plan, gives no interval from one trial, and nothing without an ended trial or a plan', () => {
    expect(projectSearch([2, 2], 1, 5)?.trials).toBe(5);
    expect(projectSearch([2], 4, 1)?.energyKWh).toEqual({ p10: null, p50: 8, p90: null });
    expect(projectSearch([], 4, 2)).toBeNull();
    expect(projectSearch([1], null, 1)).toBeNull();
  });
});
