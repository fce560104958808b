import { z } from 'zod';
import type { UkCarbonIntensityConfig } from '../carbon-config';
import type { IntensityRecord } from '../intensity/intensity.repository';
import { ProviderTime, getJson } from './provider-http';

export const UK_CARBON_INTENSITY = 'uk-carbon-intensity';

const Periods = z.object({
  data: z.array(
    z.object({
      from: ProviderTime,
      to: ProviderTime,
      intensity: z.object({ forecast: z.number().nonnegative().nullable(), actual: z.number().nonnegative().nullable() }),
    }),
  ),
});

/** `YYYY-MM-DDTHH:mmZ`, the form the API takes in paths. */
function pathTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

/** UK Carbon Intensity API (National Grid ESO): half-hourly national forecast and actual. No credentials. */
export class UkCarbonIntensityClient {
  constructor(
    private readonly config: UkCarbonIntensityConfig,
    private readonly timeoutMs: number,
  ) {}

  /** Both kinds from one answer: `forecast` always, `actual` where measured (null for future periods). */
  private async periods(path: string, revisedAt: number): Promise<IntensityRecord[]> {
    const url = new URL(`${this.config.baseUrl.replace(/\/+$/, '')}${path}`);
    const body = await getJson(
      { provider: UK_CARBON_INTENSITY, url, headers: {}, timeoutMs: this.timeoutMs, credentialHint: 'WATTPRINT_UKCI_URL' },
      Periods,
    );
    const out: IntensityRecord[] = [];
    for (const p of body.data) {
      const base = { region: this.config.region, periodStart: p.from, periodEnd: p.to, source: UK_CARBON_INTENSITY, revisedAt };
      if (p.intensity.forecast !== null) out.push({ ...base, gPerKwh: p.intensity.forecast, kind: 'forecast' });
      if (p.intensity.actual !== null) out.push({ ...base, gPerKwh: p.intensity.actual, kind: 'actual' });
    }
    return out;
  }

  /** The 24 hours from `from`. */
  forward24h(from: number, now: number): Promise<IntensityRecord[]> {
    return this.periods(`/intensity/${pathTime(from)}/fw24h`, now);
  }

  /** The 24 hours before `to`. */
  past24h(to: number, now: number): Promise<IntensityRecord[]> {
    return this.periods(`/intensity/${pathTime(to)}/pt24h`, now);
  }
}
