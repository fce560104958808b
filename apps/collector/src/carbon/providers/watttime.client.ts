import { z } from 'zod';
import type { RegionMapping, WattTimeConfig } from '../carbon-config';
import type { IntensityRecord } from '../intensity/intensity.repository';
import { ProviderTime, getJson } from './provider-http';
import { ProviderError } from './provider.errors';

export const WATTTIME = 'watttime';

/** 1 lb = 0.45359237 kg (exact), so 1 lb/MWh = 453.59237 g / 1000 kWh = 0.45359237 g/kWh. */
export const G_PER_KWH_PER_LB_PER_MWH = 0.45359237;

const UNIT_FACTORS: Record<string, number> = { lbs_co2_per_mwh: G_PER_KWH_PER_LB_PER_MWH, g_co2_per_kwh: 1 };

const Login = z.object({ token: z.string().min(1) });
const Signal = z.object({
  data: z.array(z.object({ point_time: ProviderTime, value: z.number() })),
  meta: z.object({
    data_point_period_seconds: z.number().int().positive(),
    units: z.string(),
    signal_type: z.string().optional(),
    generated_at: ProviderTime.optional(),
  }),
});

/** WattTime API v3: /login for a bearer token, then forecast and historical points in lbs/MWh. */
export class WattTimeClient {
  private token: string | null = null;

  constructor(
    private readonly config: WattTimeConfig,
    private readonly timeoutMs: number,
  ) {}

  private url(path: string): URL {
    return new URL(`${this.config.baseUrl.replace(/\/+$/, '')}${path}`);
  }

  private async login(): Promise<string> {
    const basic = Buffer.from(`${this.config.username}:${this.config.password}`).toString('base64');
    const body = await getJson(
      {
        provider: WATTTIME,
        url: this.url('/login'),
        headers: { authorization: `Basic ${basic}` },
        timeoutMs: this.timeoutMs,
        credentialHint: 'WATTPRINT_WATTTIME_USERNAME and WATTPRINT_WATTTIME_PASSWORD',
      },
      Login,
    );
    return body.token;
  }

  /** A signal request with the bearer token; a 401 means the token expired, so log in again once. */
  private async signal(url: URL): Promise<z.output<typeof Signal>> {
    for (let attempt = 0; ; attempt++) {
      this.token ??= await this.login();
      try {
        return await getJson(
          {
            provider: WATTTIME,
            url,
            headers: { authorization: `Bearer ${this.token}` },
            timeoutMs: this.timeoutMs,
            credentialHint: 'WATTPRINT_WATTTIME_USERNAME and WATTPRINT_WATTTIME_PASSWORD',
          },
          Signal,
        );
      } catch (error) {
        if (error instanceof ProviderError && error.failure === 'auth' && attempt === 0) {
          this.token = null;
          continue;
        }
        throw error;
      }
    }
  }

  private records(body: z.output<typeof Signal>, region: RegionMapping, kind: 'actual' | 'forecast', revisedAt: number): IntensityRecord[] {
    const factor = UNIT_FACTORS[body.meta.units];
    if (factor === undefined) {
      throw new ProviderError(
        WATTTIME,
        'malformed',
        `meta.units is ${JSON.stringify(body.meta.units)}; expected one of ${Object.keys(UNIT_FACTORS).join(', ')}`,
      );
    }
    const periodMs = body.meta.data_point_period_seconds * 1000;
    return body.data.map((p) => ({
      region: region.region,
      periodStart: p.point_time,
      periodEnd: p.point_time + periodMs,
      gPerKwh: p.value * factor,
      kind,
      source: `${WATTTIME}:${body.meta.signal_type ?? this.config.signalType}`,
      revisedAt,
    }));
  }

  async forecast(region: RegionMapping, now: number): Promise<IntensityRecord[]> {
    const url = this.url('/v3/forecast');
    url.searchParams.set('region', region.provider);
    url.searchParams.set('signal_type', this.config.signalType);
    const body = await this.signal(url);
    return this.records(body, region, 'forecast', body.meta.generated_at ?? now);
  }

  async historical(region: RegionMapping, from: number, to: number, now: number): Promise<IntensityRecord[]> {
    const url = this.url('/v3/historical');
    url.searchParams.set('region', region.provider);
    url.searchParams.set('start', new Date(from).toISOString());
    url.searchParams.set('end', new Date(to).toISOString());
    url.searchParams.set('signal_type', this.config.signalType);
    return this.records(await this.signal(url), region, 'actual', now);
  }
}
