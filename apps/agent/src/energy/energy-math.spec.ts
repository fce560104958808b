import { trapezoidJ, wrappingDelta } from './energy-math';
import { PowerIntegrator } from './power-integrator';

describe('energy from readings', () => {
  it('trapezoid and wrap-around', () => {
    expect(trapezoidJ(100, 300, 500)).toBe(100);
    expect(wrappingDelta(10, 25, 100)).toBe(15);
    expect(wrappingDelta(90, 5, 100)).toBe(15);
  });

  it('integrates segment by segment, hands each span over once, and leaves long gaps unmeasured', () => {
    const p = new PowerIntegrator(5000);
    p.add(0, 100);
    expect(p.take()).toEqual([]); // one reading is no span yet
    p.add(1000, 300);
    p.add(2000, 300);
    expect(p.take()).toEqual([{ t0: 0, t1: 2000, energyJ: 500 }]);
    p.add(3000, 100);
    p.add(3000, 999); // a duplicate time: ignored
    p.add(10_000, 100); // 7 s gap: not bridged
    p.add(11_000, 100);
    expect(p.take()).toEqual([
      { t0: 2000, t1: 3000, energyJ: 200 },
      { t0: 10_000, t1: 11_000, energyJ: 100 },
    ]);
  });
});
