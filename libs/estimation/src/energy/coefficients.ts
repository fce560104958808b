import type { HardwareProfile } from '../hardware/hardware.types';
import type { Precision } from '../spec/spec.schema';

/**
 * Share of the dynamic power that the memory system draws when it is saturated. HBM and GDDR
 * interfaces draw roughly a quarter of board power under streaming loads; calibration replaces it.
 */
export const MEMORY_POWER_SHARE = 0.25;

/** FLOPs-only accounting: the backward pass costs about twice the forward (θ ≈ 3, estimation-model.md). */
export const DEFAULT_THETA = 3;

/** Per-layer, per-FLOP and per-byte energy of a forward pass, and the training overhead θ. */
export interface Coefficients {
  /** J per layer per batch per device: the fixed cost that makes deep narrow nets dear. */
  alpha: number;
  /** J per FLOP at full utilisation; divided by the utilisation reached. */
  beta: number;
  /** J per byte moved to or from device memory. */
  gamma: number;
  /** Training energy over forward energy (loss and back-propagation included). */
  theta: number;
}

/** Multipliers that calibration fits on top of the figures-derived defaults (1 = uncalibrated). */
export interface CoefficientScale {
  alpha: number;
  beta: number;
  gamma: number;
}

export const UNIT_SCALE: CoefficientScale = { alpha: 1, beta: 1, gamma: 1 };

/** What a device draws on average while it trains, W: a share of TDP, its host share included. */
export function defaultBusyW(profile: HardwareProfile): number {
  return profile.trainingPower.value * profile.tdpW.value;
}

export function peakFlops(profile: HardwareProfile, precision: Precision): number {
  const peak = profile.peakFlops[precision];
  if (!peak) throw new Error(`${profile.id} has no ${precision} figure`);
  return peak.value;
}

/**
 * Defaults from the figures: a busy device draws `busyW`, so a FLOP costs the power above idle over
 * the peak rate, a byte a share of it over the bandwidth, and a layer that power over its fixed
 * overhead time.
 */
export function defaultCoefficients(profile: HardwareProfile, precision: Precision, busyW = defaultBusyW(profile)): Coefficients {
  const dynamic = Math.max(0, busyW - profile.idleW.value);
  return {
    alpha: dynamic * profile.layerOverheadS.value,
    beta: dynamic / peakFlops(profile, precision),
    gamma: (MEMORY_POWER_SHARE * dynamic) / profile.memoryBandwidth.value,
    theta: DEFAULT_THETA,
  };
}
