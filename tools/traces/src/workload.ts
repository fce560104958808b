/**
 * The shapes of GPU work a cluster sees. A shape is pure data: the power model turns it into watts,
 * and scenario.json carries it so a reader can see why a trace looks the way it does.
 */

/** A training run, or one trial of a hyperparameter search (the same shape, shorter). */
export interface TrainingShape {
  kind: 'training' | 'hp-trial';
  /** Data loading, compilation and cuDNN autotuning before steady steps: power ramps up over it. */
  warmupMs: number;
  /** One pass over the data, evaluation included; epochs repeat with exactly this period. */
  epochMs: number;
  /** The evaluation pass at the end of every epoch, when the GPU is only partly busy. */
  evalMs: number;
  /** Steady-state utilisation of the card during training steps, 0–1. */
  utilization: number;
  /** Period of the step-to-step ripple (forward/backward vs optimiser and all-reduce). */
  stepRippleMs: number;
}

/** A burst of requests hitting an inference service. */
export interface LoadBurst {
  /** Absolute UTC milliseconds. */
  atMs: number;
  durationMs: number;
  /** Load added on top of the diurnal curve, 0–1. */
  extraLoad: number;
}

/** An online inference service: a daily load curve with bursts. */
export interface InferenceShape {
  kind: 'inference';
  /** Load at the quietest hour of the day, 0–1. */
  baseLoad: number;
  /** Load at the busiest hour of the day, 0–1. */
  peakLoad: number;
  /** Hour of the day (UTC) with the most traffic. */
  peakHourUtc: number;
  bursts: LoadBurst[];
}

export type WorkloadShape = TrainingShape | InferenceShape;
export type JobKind = WorkloadShape['kind'];
