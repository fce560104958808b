export interface Quantiles {
  p10: number;
  p50: number;
  p90: number;
}

export function point(value: number): Quantiles {
  return { p10: value, p50: value, p90: value };
}

/** Linear-interpolated quantile of sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function scaleQuantiles(q: Quantiles, factor: number): Quantiles {
  return { p10: q.p10 * factor, p50: q.p50 * factor, p90: q.p90 * factor };
}
