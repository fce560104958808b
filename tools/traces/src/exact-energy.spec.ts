import { ExactEnergy, ratioToNumber, unitsToJoules } from './exact-energy';
import { Rng } from './prng';

describe('ratioToNumber', () => {
  it('equals the float64 division whenever both integers are exact doubles (one rounding either way)', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 5000; i++) {
      const a = Math.floor(rng.next() * 2 ** 53);
      const b = 1 + Math.floor(rng.next() * 2 ** (1 + Math.floor(rng.next() * 52)));
      expect(ratioToNumber(BigInt(a), BigInt(b))).toBe(a / b);
    }
  });

  it('rounds a quotient beyond 2^53 once, ties to even', () => {
    // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: even mantissa wins.
    expect(ratioToNumber((2n ** 53n + 1n) * 3n, 3n)).toBe(2 ** 53);
    // 2^53 + 3 ties between 2^53 + 2 and 2^53 + 4; + 4 has the even mantissa.
    expect(ratioToNumber((2n ** 53n + 3n) * 7n, 7n)).toBe(2 ** 53 + 4);
    // Just above the tie must round up: the sticky bit keeps what the division dropped.
    expect(ratioToNumber((2n ** 53n + 1n) * 1000n + 1n, 1000n)).toBe(2 ** 53 + 2);
  });

  it('handles zero and refuses a negative ratio', () => {
    expect(ratioToNumber(0n, 7n)).toBe(0);
    expect(() => ratioToNumber(-1n, 7n)).toThrow(RangeError);
    expect(() => ratioToNumber(1n, 0n)).toThrow(RangeError);
  });
});

describe('ExactEnergy', () => {
  it('adds trapezoids in units of 1/200 000 J: 100 W flat for one second is 100 J', () => {
    const e = new ExactEnergy();
    e.addInterval(10_000, 10_000, 1000);
    expect(e.units()).toBe(20_000_000n);
    expect(e.joules()).toBe(100);
  });

  it('stays exact past 2^53 units, where a float64 running sum starts dropping bits', () => {
    const e = new ExactEnergy();
    let exact = 0n;
    let naive = 0;
    // 700 W cards summed for ~5 years of 1 s intervals: far past 2^53 units.
    const steps = 200_000;
    for (let i = 0; i < steps; i++) {
      const p0 = 69_999 + (i % 3);
      const p1 = 70_000 - (i % 7);
      const dt = 1_000_000 + (i % 11);
      e.addInterval(p0, p1, dt);
      exact += BigInt((p0 + p1) * dt);
      naive += (p0 + p1) * dt;
    }
    expect(exact > 2n ** 53n).toBe(true);
    expect(e.units()).toBe(exact);
    expect(BigInt(naive)).not.toBe(exact);
    expect(e.joules()).toBe(unitsToJoules(exact));
  });

  it('sums other sums exactly', () => {
    const a = new ExactEnergy();
    const b = new ExactEnergy();
    a.addInterval(1, 2, 3);
    b.addInterval(4, 5, 6);
    a.addExact(b);
    expect(a.units()).toBe(63n);
  });
});
