/**
 * Exact trapezoid energy. Readings are integer centiwatts and instants integer milliseconds, so
 * one interval's energy is the integer (p0 + p1) × (t1 − t0) in units of 1/200 000 J, and sums of
 * those are exact in integers. Only the final conversion to joules rounds, once, to the nearest
 * float64: the truth does not depend on summation order and is the best float64 there is.
 */

/** Units per joule: 2 (trapezoid) × 100 (cW per W) × 1000 (ms per s). */
export const UNITS_PER_JOULE = 200_000n;

/**
 * An exact sum of interval energies. Adds in float64 while the running value is certainly an
 * exact integer (< 2^52), spilling into a bigint otherwise: exact, and fast on the hot path.
 */
export class ExactEnergy {
  private small = 0;
  private big = 0n;

  addInterval(p0Cw: number, p1Cw: number, dtMs: number): void {
    this.small += (p0Cw + p1Cw) * dtMs;
    if (this.small >= 2 ** 52) this.spill();
  }

  addExact(other: ExactEnergy): void {
    this.big += other.units();
  }

  /** The sum in units of 1/200 000 J. */
  units(): bigint {
    this.spill();
    return this.big;
  }

  joules(): number {
    return unitsToJoules(this.units());
  }

  private spill(): void {
    this.big += BigInt(this.small);
    this.small = 0;
  }
}

/** numerator / denominator rounded once to the nearest float64 (ties to even), for non-negative integers. */
export function ratioToNumber(numerator: bigint, denominator: bigint): number {
  if (numerator < 0n || denominator <= 0n) throw new RangeError('ratioToNumber takes a non-negative ratio');
  if (numerator === 0n) return 0;
  // Scale so the integer quotient has at least 66 significant bits, then keep a sticky bit for any
  // remainder: Number() of that integer rounds exactly as the true quotient would.
  const shift = Math.max(0, 66 - (numerator.toString(2).length - denominator.toString(2).length));
  const scaled = numerator << BigInt(shift);
  const quotient = scaled / denominator;
  const sticky = scaled % denominator === 0n ? 0n : 1n;
  return Number((quotient << 1n) | sticky) / 2 ** (shift + 1);
}

export function unitsToJoules(units: bigint): number {
  return ratioToNumber(units, UNITS_PER_JOULE);
}
