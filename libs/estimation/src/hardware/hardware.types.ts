import type { Precision } from '../spec/spec.schema';

/** A figure and where it comes from, so that every number of the catalogue can be checked. */
export interface Sourced {
  value: number;
  source: string;
}

/** Share of peak FLOPS that large transformer training reaches on a device, effective over whole published runs. */
export interface TransformerUtilization {
  /** Models of SMALL_TRANSFORMER_PARAMS parameters and more (or every model when `small` is absent). */
  large: Sourced;
  /** Smaller models, where the device generation is known to reach less of its peak. */
  small?: Sourced;
}

export interface HardwareProfile {
  id: string;
  name: string;
  kind: 'gpu' | 'tpu' | 'cpu' | 'accelerator';
  /** Architecture generation (Volta, Ampere, Hopper, TPU v3 …): what utilisation and power defaults go by. */
  generation: string;
  /** Board / package power limit, W. */
  tdpW: Sourced;
  /** Power drawn when powered on with nothing running, W. */
  idleW: Sourced;
  /**
   * Average power per device while it trains, as a share of TDP, its share of the host (CPU, memory,
   * fans) included; `hardware.powerW` in a spec replaces it.
   */
  trainingPower: Sourced;
  /** Dense (no sparsity) peak FLOP/s per precision; a precision the device cannot run is absent. */
  peakFlops: Partial<Record<Precision, Sourced>>;
  /** Memory bandwidth, bytes/s. */
  memoryBandwidth: Sourced;
  /** Device memory, GB. */
  memoryGB: Sourced;
  /** Precision assumed when a spec does not say (what frameworks use without mixed precision). */
  defaultPrecision: Precision;
  /** Utilisation assumed for transformer training when a spec gives none. */
  transformerUtilization: TransformerUtilization;
  /**
   * Fixed time per layer per batch (kernel launches, framework dispatch, synchronisation), s.
   * A modelling assumption, not a datasheet figure; calibration replaces what it implies.
   */
  layerOverheadS: Sourced;
}
