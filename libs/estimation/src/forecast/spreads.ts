import type { SampleModel } from '../energy/work';

export interface Spread {
  /** p10 / p50 */
  p10: number;
  /** p90 / p50 */
  p90: number;
}

/**
 * Default spreads, used while a profile has fewer than MIN_OBSERVATIONS_FOR_SPREAD observations: the
 * log-normal p10/p90 of measured over forecast in the reference set (data/reference-runs; `wattprint
 * accuracy --json` prints them as spreadByKind), rounded outwards, per way of describing the model.
 * One spread applies to every figure of a forecast, energy, facility energy, CO2eq, duration and
 * device-hours alike, since one error (mostly the utilisation reached) moves them together.
 *
 * - transformer: 24 runs from 10^18 to 4·10^25 FLOPs, ×0.74–×1.45 in the set.
 * - layers: three runs on one workstation, ×0.14–×10.6: a small CNN whose time is framework overhead
 *   is under-forecast ~9×, two compute-bound Xception runs over-forecast ~1.7×. An order of magnitude
 *   either way is what an uncalibrated per-layer forecast of a small network is worth.
 * - flopsPerSample: no run in the set; as for layers, since the same overheads are missing.
 * - a measured inferenceJ: no run in the set; ±10 %, the repeatability of a measurement.
 */
export const DEFAULT_SPREAD: Record<SampleModel['kind'], Spread> = {
  layers: { p10: 0.13, p90: 11 },
  flops: { p10: 0.13, p90: 11 },
  transformer: { p10: 0.7, p90: 1.5 },
  measured: { p10: 0.9, p90: 1.1 },
};
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

/** Share of measured/predicted ratios that fall within a spread. */
export function coverage(ratios: readonly number[], spread: Spread): number {
  if (ratios.length === 0) return 0;
  return ratios.filter((r) => r >= spread.p10 && r <= spread.p90).length / ratios.length;
}
