import type { SampleModel } from '../energy/work';

export interface Spread {
  /** p10 / p50 */
  p10: number;
  /** p90 / p50 */
  p90: number;
}

/**
 * Documented default spreads, used while a profile has fewer than MIN_OBSERVATIONS_FOR_SPREAD
 * observations. Analytical per-layer estimates are within a factor of two of measurements in the
 * paper's experiments; 6·N·D for large transformers is tighter (its FLOPs are exact, utilisation is
 * the unknown); a measured per-inference energy is tighter still.
 */
export const DEFAULT_ENERGY_SPREAD: Record<SampleModel['kind'], Spread> = {
  layers: { p10: 0.5, p90: 2 },
  flops: { p10: 0.5, p90: 2 },
  transformer: { p10: 0.7, p90: 1.5 },
  measured: { p10: 0.9, p90: 1.1 },
};
export const DEFAULT_DURATION_SPREAD: Spread = { p10: 0.5, p90: 2 };
export const MIN_OBSERVATIONS_FOR_SPREAD = 3;

/** z of the 90th percentile of a normal distribution: p10/p90 of a log-normal ratio are exp(∓z·σ). */
const Z90 = 1.2815515655446004;

/** The log-normal p10/p90 ratios of measured/predicted values around the prediction. */
export function spreadFromRatios(ratios: readonly number[]): Spread {
  const logs = ratios.map(Math.log);
  const mean = logs.reduce((s, v) => s + v, 0) / logs.length;
  const sd = Math.sqrt(logs.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, logs.length - 1));
  // Bias of the fit widens the side it leans to.
  return { p10: Math.exp(Math.min(0, mean) - Z90 * sd), p90: Math.exp(Math.max(0, mean) + Z90 * sd) };
}
