import { co2eqGrams, hoursOf, kWhOf } from '@wattprint/carbon';
import { factorKey, type HourFactor } from './emission-factors';

/** Energy of one node in one hour, the grain at which PUE and intensity are constant. */
export interface NodeHourEnergy {
  node: string;
  hourStart: number;
  joules: number;
}

export interface Emissions {
  /** IT energy, J. */
  joules: number;
  /** IT energy × PUE, J. */
  facilityJoules: number;
  /** gCO2eq. */
  grams: number;
  /** Hour starts (epoch ms, ascending) whose factor was an estimate. */
  estimatedHours: number[];
}

export class MissingFactorError extends Error {
  constructor(readonly key: string) {
    super(`no emission factor for ${key}: the factor source must answer every (node, hour) asked for`);
    this.name = 'MissingFactorError';
  }
}

export const EMPTY_EMISSIONS: Emissions = Object.freeze({ joules: 0, facilityJoules: 0, grams: 0, estimatedHours: [] }) as Emissions;

/**
 * Σ joules × PUE(site, hour) × intensity(region, hour). Emissions are derived here at query time, so
 * a revised intensity changes every report without touching the energy record.
 */
export function emissionsOf(rows: Iterable<NodeHourEnergy>, factors: Map<string, HourFactor>): Emissions {
  let joules = 0;
  let facilityJoules = 0;
  let grams = 0;
  const estimated = new Set<number>();
  for (const row of rows) {
    const key = factorKey(row.node, row.hourStart);
    const factor = factors.get(key);
    if (factor === undefined) throw new MissingFactorError(key);
    joules += row.joules;
    facilityJoules += row.joules * factor.pue;
    grams += co2eqGrams(row.joules, factor);
    if (factor.estimated && row.joules > 0) estimated.add(row.hourStart);
  }
  return { joules, facilityJoules, grams, estimatedHours: [...estimated].sort((a, b) => a - b) };
}

/** The distinct (node, hour) pairs of some rows, to ask the factor source once for all of them. */
export function nodeHoursOf(rows: Iterable<NodeHourEnergy>): Array<{ node: string; hourStart: number }> {
  const seen = new Map<string, { node: string; hourStart: number }>();
  for (const r of rows) seen.set(factorKey(r.node, r.hourStart), { node: r.node, hourStart: r.hourStart });
  return [...seen.values()];
}

export function kWh(joules: number): number {
  return kWhOf(joules);
}

export function kg(grams: number): number {
  return grams / 1000;
}

/** GPU-hours from summed sample durations of GPU buckets. */
export function gpuHours(durationMs: number): number {
  return hoursOf(durationMs);
}
