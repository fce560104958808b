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
  /** Devices × duration. */
  deviceHours: Quantiles;
  /** deviceHours.p50, kept for readers of the first version of this result. */
  gpuHours: number;
  phases: {
    search: { energyKWh: number; trials: number };
    training: { energyKWh: number };
    inference: { energyKWh: number };
  };
  /** params and layers are whole numbers (a searched model's mean, rounded); layers is null when the spec gives none. */
  model: { params: number; flopsPerSample: number; layers: number | null };
  assumptions: string[];
  /**
   * The calibration used: `basis` says whether it is the profile's own fit, the file's pooled fit over
   * other profiles, or none; mape is null while uncalibrated.
   */
  calibration: { profile: string; basis: 'profile' | 'pooled' | 'none'; observations: number; mape: number | null };
}
