import { Injectable } from '@nestjs/common';
import { type HourFactor, type NodeHour, co2eqGrams, hourSpan, resolveHourFactors } from '@wattprint/carbon';
import { IntensityRepository } from './intensity/intensity.repository';
import { SiteRepository } from './sites/site.repository';

export type { HourFactor } from '@wattprint/carbon';
export { hourFactorKey } from '@wattprint/carbon';

/**
 * The emission factors every report uses. Emissions are derived at query time from these factors,
 * never stored, so a revised intensity or PUE changes every report with no re-ingest.
 */
@Injectable()
export class CarbonService {
  constructor(
    private readonly sites: SiteRepository,
    private readonly intensity: IntensityRepository,
  ) {}

  /**
   * Factors of node-hours, keyed `${node}@${hourStart}`: the PUE of the node's site over that hour
   * and the time-weighted mean intensity of the site's region (actual over forecast), or the region's
   * yearly average flagged `estimated` when no series covers the hour. Three queries per call,
   * whatever the number of keys.
   *
   * @example
   *   const f = await carbon.hourFactors([{ node: 'gpu-01', hourStart: Date.UTC(2026, 10, 20, 10) }]);
   *   const grams = carbon.co2eqGrams(joules, f.get(`gpu-01@${Date.UTC(2026, 10, 20, 10)}`)!);
   */
  async hourFactors(keys: Array<{ node: string; hourStart: number }>): Promise<Map<string, HourFactor>> {
    const span = hourSpan(keys);
    if (span === null) return new Map();
    const nodeSites = await this.sites.nodeSites([...new Set(keys.map((k) => k.node))]);
    const siteIds = [...new Set([...nodeSites.values()].filter((s): s is string => s !== null))];
    const [regions, schedules] = await Promise.all([this.sites.regions(siteIds), this.sites.pueSchedules(siteIds)]);
    const sites = new Map([...regions].map(([id, region]) => [id, { region, pue: schedules.get(id) ?? [] }]));
    const periods = await this.intensity.periodsByRegion([...new Set(regions.values())], span.from, span.to);
    return resolveHourFactors(keys as NodeHour[], { nodeSites, sites, periods });
  }

  /** grams CO2eq of `joules` of IT energy under a factor: kWh of `joules` × pue × gPerKwh. */
  co2eqGrams(joules: number, factor: Pick<HourFactor, 'pue' | 'gPerKwh'>): number {
    return co2eqGrams(joules, factor);
  }
}
