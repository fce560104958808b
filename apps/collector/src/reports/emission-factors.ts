/**
 * The port reports and jobs use to turn energy into emissions. The carbon domain implements it
 * (CarbonService.hourFactors); reports depend only on this shape, so the arithmetic below stays
 * pure and testable without a database.
 */
export interface HourFactor {
  siteId: string | null;
  region: string | null;
  /** PUE of the node's site during that hour. */
  pue: number;
  /** Grid intensity of the site's region for that hour, gCO2eq/kWh. */
  gPerKwh: number;
  /** True when the intensity (or the site) is a fallback, not a measured or forecast figure. */
  estimated: boolean;
  source: string;
}

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

export function factorKey(node: string, hourStart: number): string {
  return `${node}@${hourStart}`;
}
