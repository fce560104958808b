import type { Precision } from '../spec/spec.schema';

/** A figure and where it comes from, so that every number of the catalogue can be checked. */
export interface Sourced {
  value: number;
  source: string;
}

export interface HardwareProfile {
  id: string;
  name: string;
  kind: 'gpu' | 'tpu' | 'cpu';
  /** Board / package power limit, W. */
  tdpW: Sourced;
  /** Power drawn when powered on with nothing running, W. */
  idleW: Sourced;
  /** Dense (no sparsity) peak FLOP/s per precision; a precision the device cannot run is absent. */
  peakFlops: Partial<Record<Precision, Sourced>>;
  /** Memory bandwidth, bytes/s. */
  memoryBandwidth: Sourced;
  /** Device memory, GB. */
  memoryGB: Sourced;
  /** Precision assumed when a spec does not say (what frameworks use without mixed precision). */
  defaultPrecision: Precision;
  /**
   * Fixed time per layer per batch (kernel launches, framework dispatch, synchronisation), s.
   * A modelling assumption, not a datasheet figure; calibration replaces what it implies.
   */
  layerOverheadS: Sourced;
}
