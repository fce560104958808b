import type { HardwareProfile } from '../hardware/hardware.types';
import { BYTES_PER_ELEMENT } from '../hardware/hardware.lookup';
import type { Precision } from '../spec/spec.schema';
import { defaultCoefficients, peakFlops, UNIT_SCALE, type Coefficients, type CoefficientScale } from './coefficients';
import type { Work } from './work';

/** Where and how a run executes, and the coefficients that price it. */
export interface RunContext {
  profile: HardwareProfile;
  precision: Precision;
  count: number;
  utilization: number;
  /** Defaults derived from the profile's figures at this precision. */
  base: Coefficients;
  /** Calibrated multipliers on base.alpha/beta/gamma. */
  scale: CoefficientScale;
  theta: number;
  /** Measured over modelled duration, from calibration (1 when uncalibrated). */
  durationScale: number;
}

export function runContext(
  profile: HardwareProfile,
  precision: Precision,
  count: number,
  utilization: number,
  calibrated?: { scale: CoefficientScale; theta: number; durationScale: number },
): RunContext {
  const base = defaultCoefficients(profile, precision);
  return {
    profile,
    precision,
    count,
    utilization,
    base,
    scale: calibrated?.scale ?? UNIT_SCALE,
    theta: calibrated?.theta ?? base.theta,
    durationScale: calibrated?.durationScale ?? 1,
  };
}

export function bytesPerElement(ctx: RunContext): number {
  return BYTES_PER_ELEMENT[ctx.precision];
}

/** The three terms of the per-layer model priced at the default coefficients (J), before any scale. */
export interface Components {
  alpha: number;
  beta: number;
  gamma: number;
}

export function components(work: Work, ctx: RunContext): Components {
  return {
    alpha: ctx.base.alpha * ctx.count * work.layerBatches,
    beta: (ctx.base.beta * work.flops) / ctx.utilization,
    gamma: ctx.base.gamma * work.bytes,
  };
}

export function dynamicEnergyJ(work: Work, ctx: RunContext): number {
  const c = components(work, ctx);
  return ctx.scale.alpha * c.alpha + ctx.scale.beta * c.beta + ctx.scale.gamma * c.gamma;
}

/** Wall time of a forward pass over the work: fixed per-layer time plus a roofline bound. */
export function forwardTimeS(work: Work, ctx: RunContext): number {
  const compute = work.flops / (peakFlops(ctx.profile, ctx.precision) * ctx.utilization * ctx.count);
  const memory = work.bytes / (ctx.profile.memoryBandwidth.value * ctx.count);
  return (ctx.profile.layerOverheadS.value * work.layerBatches + Math.max(compute, memory)) * ctx.durationScale;
}

/** Idle power keeps flowing while the work runs; the paper leaves it out, we do not. */
export function staticEnergyJ(durationS: number, ctx: RunContext): number {
  return ctx.profile.idleW.value * ctx.count * durationS;
}

export interface PhaseCost {
  energyJ: number;
  durationS: number;
}

/** A pass over the work, forward only (weight 1) or training (weight θ). */
export function passCost(work: Work, ctx: RunContext, weight: number): PhaseCost {
  const durationS = weight * forwardTimeS(work, ctx);
  return { energyJ: weight * dynamicEnergyJ(work, ctx) + staticEnergyJ(durationS, ctx), durationS };
}
