import type { HourFactor } from '@wattprint/carbon';

export type { HourFactor } from '@wattprint/carbon';
export { hourFactorKey as factorKey } from '@wattprint/carbon';

/**
 * The port reports and jobs use to turn energy into emissions. The carbon domain implements it
 * (CarbonService.hourFactors, bound in EmissionFactorsModule.fromCarbon); reports depend only on
 * this shape, so their arithmetic stays pure and testable without a database.
 */
export interface NodeHour {
  node: string;
  hourStart: number;
}

export interface EmissionFactors {
  /** The factor of every (node, hour) asked for, keyed by factorKey(node, hourStart). */
  hourFactors(keys: NodeHour[]): Promise<Map<string, HourFactor>>;
}

/** Injection token of the EmissionFactors implementation. */
export const EMISSION_FACTORS = Symbol('EMISSION_FACTORS');
