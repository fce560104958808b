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

/** The factor of one site (null: nodes without a site) over one hour. */
export interface SiteHourFactor {
  siteId: string | null;
  hourStart: number;
  factor: HourFactor;
}

export interface EmissionFactors {
  /** The factor of every (node, hour) asked for, keyed by factorKey(node, hourStart). */
  hourFactors(keys: NodeHour[]): Promise<Map<string, HourFactor>>;
  /**
   * The factor of every site, and of nodes without one, over every hour of [from, to): what a report
   * over a long range joins in SQL, since sites are few and a year is 8,760 hours.
   */
  siteHourFactors(from: number, to: number): Promise<SiteHourFactor[]>;
}

/** Injection token of the EmissionFactors implementation. */
export const EMISSION_FACTORS = Symbol('EMISSION_FACTORS');
