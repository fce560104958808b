import type { HardwareProfile } from '../hardware/hardware.types';
import { BYTES_PER_ELEMENT } from '../hardware/hardware.lookup';
import type { Precision } from '../spec/spec.schema';
import { defaultBusyW, defaultCoefficients, peakFlops, UNIT_SCALE, type Coefficients, type CoefficientScale } from './coefficients';
import type { Work } from './work';

/** What calibration learnt, applied on top of the figures-derived defaults. */
export interface CalibratedScales {
  scale: CoefficientScale;
  theta: number;
  /** Measured over modelled duration (1 when no observation had a duration). */
  durationScale: number;
  /** Multiplier on the idle term (fitted when observations lacked durations; 1 otherwise). */
  idleScale: number;
}

/** Where and how a run executes, and the coefficients that price it. */
export interface RunContext {
  profile: HardwareProfile;
  precision: Precision;
  count: number;
  utilization: number;
  /** Average power per device while busy, W. */
  busyW: number;
  /** Share of wall time that advances training. */
  goodput: number;
  /** Defaults derived from the profile's figures at this precision and busy power. */
  base: Coefficients;
  /** Calibrated multipliers on base.alpha/beta/gamma. */
  scale: CoefficientScale;
  theta: number;
  durationScale: number;
  idleScale: number;
}

export interface ContextInputs {
  profile: HardwareProfile;
  precision: Precision;
  count: number;
  utilization: number;
  busyW?: number;
  goodput?: number;
}

export function runContext(inputs: ContextInputs, calibrated?: CalibratedScales): RunContext {
  const busyW = inputs.busyW ?? defaultBusyW(inputs.profile);
  const base = defaultCoefficients(inputs.profile, inputs.precision, busyW);
  return {
    profile: inputs.profile,
    precision: inputs.precision,
    count: inputs.count,
    utilization: inputs.utilization,
    busyW,
    goodput: inputs.goodput ?? 1,
    base,
    scale: calibrated?.scale ?? UNIT_SCALE,
    theta: calibrated?.theta ?? base.theta,
    durationScale: calibrated?.durationScale ?? 1,
    idleScale: calibrated?.idleScale ?? 1,
  };
}

export function bytesPerElement(ctx: RunContext): number {
  return BYTES_PER_ELEMENT[ctx.precision];
}

/** The per-layer model's three terms and the idle term, priced at the default coefficients (J), before any scale. */
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

/** Wall time of a forward pass over the work, before calibration: fixed per-layer time plus a roofline bound. */
export function modelledForwardTimeS(work: Work, ctx: RunContext): number {
  const compute = work.flops / (peakFlops(ctx.profile, ctx.precision) * ctx.utilization * ctx.count);
  const memory = work.bytes / (ctx.profile.memoryBandwidth.value * ctx.count);
  return ctx.profile.layerOverheadS.value * work.layerBatches + Math.max(compute, memory);
}

export function forwardTimeS(work: Work, ctx: RunContext): number {
  return modelledForwardTimeS(work, ctx) * ctx.durationScale;
}

/** Idle power over a modelled duration (J, before the idle scale): what the paper leaves out, we do not. */
export function idleEnergyJ(modelledDurationS: number, ctx: RunContext): number {
  return ctx.profile.idleW.value * ctx.count * modelledDurationS;
}

export interface PhaseCost {
  energyJ: number;
  durationS: number;
}

/**
 * A pass over the work, forward only (weight 1) or training (weight θ). The idle term follows the
 * modelled duration scaled by idleScale: calibration learns either the duration (when measured) or
 * the idle term's scale (when not), and each stands in for the other.
 */
export function passCost(work: Work, ctx: RunContext, weight: number): PhaseCost {
  const modelled = weight * modelledForwardTimeS(work, ctx);
  const durationS = modelled * ctx.durationScale;
  return { energyJ: weight * dynamicEnergyJ(work, ctx) + ctx.idleScale * idleEnergyJ(durationS, ctx), durationS };
}
