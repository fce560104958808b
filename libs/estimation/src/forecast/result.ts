import type { Quantiles } from '../search/quantiles';

/** The Result of spec-format.md, exactly: what `wattprint forecast --json` prints and the API returns. */
export interface ForecastResult {
  /** IT energy, comparable with observations. */
  energyKWh: Quantiles;
  /** IT energy × PUE. */
  facilityEnergyKWh: Quantiles;
  co2eqKg: Quantiles;
  /** Search and final training, on the given devices (inference in service is not timed). */
  durationH: Quantiles;
  gpuHours: number;
  phases: {
    search: { energyKWh: number; trials: number };
    training: { energyKWh: number };
    inference: { energyKWh: number };
  };
  model: { params: number; flopsPerSample: number; layers: number };
  assumptions: string[];
  /** mape is null while the profile is uncalibrated. */
  calibration: { profile: string; observations: number; mape: number | null };
}
