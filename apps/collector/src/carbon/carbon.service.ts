import { Injectable } from '@nestjs/common';
import {
  HOUR_MS,
  type HourFactor,
  type NodeHour,
  co2eqGrams,
  hourFactorKey,
  hourSpan,
  hourStartOf,
  resolveHourFactors,
} from '@wattprint/carbon';
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

  /**
   * Factors of every site, and of nodes without a site (`siteId` null), over every hour of [from, to).
   * The same rules as hourFactors, asked per site rather than per node.
   */
  async siteHourFactors(from: number, to: number): Promise<Array<{ siteId: string | null; hourStart: number; factor: HourFactor }>> {
    const first = hourStartOf(from);
    if (to <= first) return [];
    const siteIds = (await this.sites.list()).map((s) => s.id);
    const [regions, schedules] = await Promise.all([this.sites.regions(siteIds), this.sites.pueSchedules(siteIds)]);
    const sites = new Map([...regions].map(([id, region]) => [id, { region, pue: schedules.get(id) ?? [] }]));
    const periods = await this.intensity.periodsByRegion([...new Set(regions.values())], first, to);
    // one stand-in node per site: the factors depend on the site alone
    const standIns: Array<[string, string | null]> = [...siteIds.map((id): [string, string | null] => [`site:${id}`, id]), ['site:', null]];
    const keys: NodeHour[] = [];
    for (let hour = first; hour < to; hour += HOUR_MS) for (const [node] of standIns) keys.push({ node, hourStart: hour });
    const factors = resolveHourFactors(keys, { nodeSites: new Map(standIns), sites, periods });
    return keys.map((k) => ({
      siteId: k.node === 'site:' ? null : k.node.slice(5),
      hourStart: k.hourStart,
      factor: factors.get(hourFactorKey(k.node, k.hourStart))!,
    }));
  }

  /** grams CO2eq of `joules` of IT energy under a factor: kWh of `joules` × pue × gPerKwh. */
  co2eqGrams(joules: number, factor: Pick<HourFactor, 'pue' | 'gPerKwh'>): number {
    return co2eqGrams(joules, factor);
  }
}
