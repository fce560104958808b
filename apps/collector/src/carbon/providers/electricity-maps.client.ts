import { z } from 'zod';
import type { ElectricityMapsConfig, RegionMapping } from '../carbon-config';
import { HOUR_MS } from '@wattprint/carbon';
import type { IntensityRecord } from '../intensity/intensity.repository';
import { ProviderTime, getJson } from './provider-http';

export const ELECTRICITY_MAPS = 'electricitymaps';

// Electricity Maps sends null for hours it has no figure for; those are skipped, not stored as 0.
const Point = z.object({
  carbonIntensity: z.number().nonnegative().nullable(),
  datetime: ProviderTime,
  updatedAt: ProviderTime.optional(),
});
const Latest = Point.extend({ zone: z.string(), updatedAt: ProviderTime });
const History = z.object({ zone: z.string(), history: z.array(Point) });
const Forecast = z.object({ zone: z.string(), forecast: z.array(Point), updatedAt: ProviderTime });

/** Electricity Maps API v3: hourly gCO2eq/kWh per zone; `auth-token` header. */
export class ElectricityMapsClient {
  constructor(
    private readonly config: ElectricityMapsConfig,
    private readonly timeoutMs: number,
  ) {}

  private get(path: string, zone: string) {
    const url = new URL(`${this.config.baseUrl.replace(/\/+$/, '')}/carbon-intensity/${path}`);
    url.searchParams.set('zone', zone);
    return {
      provider: ELECTRICITY_MAPS,
      url,
      headers: { 'auth-token': this.config.token },
      timeoutMs: this.timeoutMs,
      credentialHint: 'WATTPRINT_ELECTRICITYMAPS_TOKEN',
    };
  }

  private records(
    points: z.output<typeof Point>[],
    zone: RegionMapping,
    kind: 'actual' | 'forecast',
    revisedAt: number,
  ): IntensityRecord[] {
    return points
      .filter((p) => p.carbonIntensity !== null)
      .map((p) => ({
        region: zone.region,
        periodStart: p.datetime,
        periodEnd: p.datetime + HOUR_MS,
        gPerKwh: p.carbonIntensity!,
        kind,
        source: ELECTRICITY_MAPS,
        revisedAt: p.updatedAt ?? revisedAt,
      }));
  }

  /** The current hour. */
  async latest(zone: RegionMapping, now: number): Promise<IntensityRecord[]> {
    const body = await getJson(this.get('latest', zone.provider), Latest);
    return this.records([body], zone, 'actual', now);
  }

  /** The last 24 hours. */
  async history(zone: RegionMapping, now: number): Promise<IntensityRecord[]> {
    const body = await getJson(this.get('history', zone.provider), History);
    return this.records(body.history, zone, 'actual', now);
  }

  /** The coming hours, stamped with the forecast's updatedAt. */
  async forecast(zone: RegionMapping): Promise<IntensityRecord[]> {
    const body = await getJson(this.get('forecast', zone.provider), Forecast);
    return this.records(body.forecast, zone, 'forecast', body.updatedAt);
  }
}
