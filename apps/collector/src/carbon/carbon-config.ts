import { envBoolean, envEnum, envInt, envText, envUrl, parseEnv } from '@wattprint/runtime';
import { z } from 'zod';

/** A provider's region code and the region it is stored under (`CAISO_NORTH=US-CAL-CISO`, or the same name). */
export interface RegionMapping {
  provider: string;
  region: string;
}

export interface ElectricityMapsConfig {
  /** `WATTPRINT_ELECTRICITYMAPS_URL` (https://api.electricitymap.org/v3). */
  baseUrl: string;
  /** `WATTPRINT_ELECTRICITYMAPS_TOKEN`: sent as the `auth-token` header. */
  token: string;
  /** `WATTPRINT_ELECTRICITYMAPS_ZONES`: comma-separated zones, each `ZONE` or `ZONE=REGION`. */
  zones: RegionMapping[];
}

export interface WattTimeConfig {
  /** `WATTPRINT_WATTTIME_URL` (https://api.watttime.org). */
  baseUrl: string;
  /** `WATTPRINT_WATTTIME_USERNAME` / `_PASSWORD`: exchanged at /login for a bearer token. */
  username: string;
  password: string;
  /** `WATTPRINT_WATTTIME_REGIONS`: comma-separated balancing authorities, each `BA` or `BA=REGION`. */
  regions: RegionMapping[];
  /** `WATTPRINT_WATTTIME_SIGNAL` (co2_moer): the signal type asked for. co2_moer is a marginal rate. */
  signalType: string;
}

export interface UkCarbonIntensityConfig {
  /** `WATTPRINT_UKCI_URL` (https://api.carbonintensity.org.uk). */
  baseUrl: string;
  /** `WATTPRINT_UKCI_REGION` (GB): the region national figures are stored under. */
  region: string;
}

export interface CarbonConfig {
  /** Null when `WATTPRINT_ELECTRICITYMAPS_TOKEN` or `_ZONES` is unset. */
  electricityMaps: ElectricityMapsConfig | null;
  /** Null when `WATTPRINT_WATTTIME_USERNAME`, `_PASSWORD` or `_REGIONS` is unset. */
  wattTime: WattTimeConfig | null;
  /** Null unless `WATTPRINT_UKCI_ENABLED=true`. */
  ukCarbonIntensity: UkCarbonIntensityConfig | null;
  /** `WATTPRINT_INTENSITY_POLL_MS` (900000 = 15 min): how often enabled providers are polled. */
  pollMs: number;
  /** `WATTPRINT_INTENSITY_TIMEOUT_MS` (15000): a provider request taking longer is abandoned. */
  requestTimeoutMs: number;
}

const REGION = /^[A-Za-z0-9_.-]{1,64}$/;
const REGION_LIST = 'comma-separated codes, each CODE or CODE=REGION (letters, digits, . _ -)';

/** `DE, FR=FR-X` into mappings; a code on its own is stored under its own name. */
const regionList = z.string().transform((raw, ctx) => {
  const out: RegionMapping[] = [];
  for (const item of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [provider, region = provider, ...rest] = item.split('=').map((s) => s.trim());
    if (rest.length > 0 || !REGION.test(provider) || !REGION.test(region)) {
      ctx.addIssue({ code: 'custom', message: REGION_LIST });
      return z.NEVER;
    }
    out.push({ provider, region });
  }
  if (out.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'at least one region code' });
    return z.NEVER;
  }
  return out;
});

const http = ['http:', 'https:'] as const;

/** The carbon domain's variables: every provider is off unless configured. Part of the collector's one config. */
export const CARBON_ENV = {
  WATTPRINT_ELECTRICITYMAPS_TOKEN: envText().optional(),
  WATTPRINT_ELECTRICITYMAPS_ZONES: regionList.optional(),
  WATTPRINT_ELECTRICITYMAPS_URL: envUrl(http).default('https://api.electricitymap.org/v3'),
  WATTPRINT_WATTTIME_USERNAME: envText().optional(),
  WATTPRINT_WATTTIME_PASSWORD: envText().optional(),
  WATTPRINT_WATTTIME_REGIONS: regionList.optional(),
  WATTPRINT_WATTTIME_URL: envUrl(http).default('https://api.watttime.org'),
  WATTPRINT_WATTTIME_SIGNAL: envEnum(['co2_moer', 'co2_aoer']).default('co2_moer'),
  WATTPRINT_UKCI_ENABLED: envBoolean().default(false),
  WATTPRINT_UKCI_URL: envUrl(http).default('https://api.carbonintensity.org.uk'),
  WATTPRINT_UKCI_REGION: z.string().regex(REGION, 'a region code of letters, digits, . _ -').default('GB'),
  WATTPRINT_INTENSITY_POLL_MS: envInt(10_000, 86_400_000).default(900_000),
  WATTPRINT_INTENSITY_TIMEOUT_MS: envInt(100, 300_000).default(15_000),
};

/** Provider credentials that are never printed. */
export const CARBON_SECRETS = ['WATTPRINT_ELECTRICITYMAPS_TOKEN', 'WATTPRINT_WATTTIME_PASSWORD'];

type CarbonValues = z.output<z.ZodObject<typeof CARBON_ENV>>;

/**
 * A provider configured by halves is refused, naming the variables missing. It looks only at which
 * variables were given, so it runs (`CHECK_ALWAYS`) even when another variable is bad.
 */
export function checkCarbonPairs(values: CarbonValues, ctx: z.RefinementCtx): void {
  const groups: Array<[string, string[]]> = [
    ['the other Electricity Maps variables', ['WATTPRINT_ELECTRICITYMAPS_TOKEN', 'WATTPRINT_ELECTRICITYMAPS_ZONES']],
    ['the other WattTime variables', ['WATTPRINT_WATTTIME_USERNAME', 'WATTPRINT_WATTTIME_PASSWORD', 'WATTPRINT_WATTTIME_REGIONS']],
  ];
  const record = values as Record<string, unknown>;
  for (const [others, names] of groups) {
    const set = names.filter((n) => record[n] !== undefined);
    if (set.length === 0 || set.length === names.length) continue;
    for (const name of names.filter((n) => record[n] === undefined))
      ctx.addIssue({ code: 'custom', path: [name], message: `set together with ${others}` });
  }
}

/** For superRefine: run even when some variable failed, so every problem is named at once. */
export const CHECK_ALWAYS = { when: () => true };

export function carbonConfigOf(c: CarbonValues): CarbonConfig {
  const em = c.WATTPRINT_ELECTRICITYMAPS_TOKEN && c.WATTPRINT_ELECTRICITYMAPS_ZONES;
  const wt = c.WATTPRINT_WATTTIME_USERNAME && c.WATTPRINT_WATTTIME_PASSWORD && c.WATTPRINT_WATTTIME_REGIONS;
  return {
    electricityMaps: em
      ? { baseUrl: c.WATTPRINT_ELECTRICITYMAPS_URL, token: c.WATTPRINT_ELECTRICITYMAPS_TOKEN!, zones: c.WATTPRINT_ELECTRICITYMAPS_ZONES! }
      : null,
    wattTime: wt
      ? {
          baseUrl: c.WATTPRINT_WATTTIME_URL,
          username: c.WATTPRINT_WATTTIME_USERNAME!,
          password: c.WATTPRINT_WATTTIME_PASSWORD!,
          regions: c.WATTPRINT_WATTTIME_REGIONS!,
          signalType: c.WATTPRINT_WATTTIME_SIGNAL,
        }
      : null,
    ukCarbonIntensity: c.WATTPRINT_UKCI_ENABLED ? { baseUrl: c.WATTPRINT_UKCI_URL, region: c.WATTPRINT_UKCI_REGION } : null,
    pollMs: c.WATTPRINT_INTENSITY_POLL_MS,
    requestTimeoutMs: c.WATTPRINT_INTENSITY_TIMEOUT_MS,
  };
}

/**
 * The carbon part of the collector's configuration on its own (the collector reads it with the rest, in
 * parseCollectorConfig). Throws a ConfigError naming every bad variable, a provider configured by halves included.
 */
export function parseCarbonConfig(env: Record<string, string | undefined>): CarbonConfig {
  return carbonConfigOf(parseEnv(z.object(CARBON_ENV).superRefine(checkCarbonPairs, CHECK_ALWAYS), env, { hidden: CARBON_SECRETS }));
}
