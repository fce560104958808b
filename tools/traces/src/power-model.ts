import type { GpuProfile } from './gpu-profile';
import type { InferenceShape, TrainingShape, WorkloadShape } from './workload';
import { DAY_MS, HOUR_MS } from '@wattprint/carbon';

/**
 * Noise-free power a workload asks for, in watts. Pure functions of time so a test can predict
 * what the generator did; the device renderer adds noise and clamps to the card's limits.
 */

/** Cards never reach the board limit in steady training: clocks back off a little before it. */
const STEADY_HEADROOM = 0.93;
/** During evaluation the GPU runs forward passes only, with host-side metric work between. */
const EVAL_FRACTION = 0.35;
/** CUDA context creation alone lifts the card off idle before the first step. */
const WARMUP_FLOOR_FRACTION = 0.12;
/** Inference batches are small: even at full load the card stays further from its limit. */
const INFERENCE_HEADROOM = 0.85;
const RIPPLE_FRACTION = 0.02;

export function trainingLevelW(shape: TrainingShape, profile: GpuProfile): number {
  return profile.idleW + (profile.tdpW - profile.idleW) * shape.utilization * STEADY_HEADROOM;
}

/** Where in its life a training job is at `sinceStartMs`. */
export type TrainingPhase = 'warmup' | 'train' | 'eval';

export function trainingPhase(shape: TrainingShape, sinceStartMs: number): TrainingPhase {
  if (sinceStartMs < shape.warmupMs) return 'warmup';
  const inEpoch = (sinceStartMs - shape.warmupMs) % shape.epochMs;
  return inEpoch >= shape.epochMs - shape.evalMs ? 'eval' : 'train';
}

export function trainingPowerW(shape: TrainingShape, profile: GpuProfile, sinceStartMs: number): number {
  const level = trainingLevelW(shape, profile);
  const span = level - profile.idleW;
  switch (trainingPhase(shape, sinceStartMs)) {
    case 'warmup': {
      const progress = sinceStartMs / shape.warmupMs;
      return profile.idleW + span * (WARMUP_FLOOR_FRACTION + (1 - WARMUP_FLOOR_FRACTION) * progress);
    }
    case 'eval':
      return profile.idleW + span * EVAL_FRACTION;
    case 'train': {
      const ripple = Math.sin((2 * Math.PI * sinceStartMs) / shape.stepRippleMs);
      return level + (profile.tdpW - profile.idleW) * RIPPLE_FRACTION * ripple;
    }
  }
}

/** Load of an inference service at an absolute time: a daily cosine plus any burst under way. */
export function inferenceLoad(shape: InferenceShape, tMs: number): number {
  const hourOfDay = (tMs % DAY_MS) / HOUR_MS;
  const daily = 0.5 + 0.5 * Math.cos((2 * Math.PI * (hourOfDay - shape.peakHourUtc)) / 24);
  let load = shape.baseLoad + (shape.peakLoad - shape.baseLoad) * daily;
  for (const burst of shape.bursts) {
    if (tMs >= burst.atMs && tMs < burst.atMs + burst.durationMs) load += burst.extraLoad;
  }
  return Math.min(1, load);
}

export function inferencePowerW(shape: InferenceShape, profile: GpuProfile, tMs: number): number {
  return profile.idleW + (profile.tdpW - profile.idleW) * INFERENCE_HEADROOM * inferenceLoad(shape, tMs);
}

export function workloadPowerW(shape: WorkloadShape, profile: GpuProfile, tMs: number, jobStartMs: number): number {
  return shape.kind === 'inference' ? inferencePowerW(shape, profile, tMs) : trainingPowerW(shape, profile, tMs - jobStartMs);
}

/** Standard deviation of the measurement and workload noise, watts. */
export function noiseSdW(shape: WorkloadShape | null, profile: GpuProfile): number {
  if (shape === null) return Math.max(0.3, profile.idleW * 0.012);
  // Request arrivals make inference jumpier than the steady steps of training.
  return (profile.tdpW - profile.idleW) * (shape.kind === 'inference' ? 0.025 : 0.012);
}

/** The lowest a card reads: a little under its nominal idle figure, never below zero. */
export function floorW(profile: GpuProfile): number {
  return Math.max(0, profile.idleW * 0.9);
}
