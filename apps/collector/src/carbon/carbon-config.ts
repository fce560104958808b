import { EnvParser } from '../config/env-parser';

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

function regionList(e: EnvParser, variable: string): RegionMapping[] | undefined {
  const raw = e.string(variable);
  if (raw === undefined) return undefined;
  const out: RegionMapping[] = [];
  for (const item of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [provider, region = provider, ...rest] = item.split('=').map((s) => s.trim());
    if (rest.length > 0 || !REGION.test(provider) || !REGION.test(region)) {
      e.problems.push({ variable, value: raw, expected: 'comma-separated codes, each CODE or CODE=REGION (letters, digits, . _ -)' });
      return undefined;
    }
    out.push({ provider, region });
  }
  if (out.length === 0) {
    e.problems.push({ variable, value: raw, expected: 'at least one region code' });
    return undefined;
  }
  return out;
}

/**
 * Parses the carbon domain's environment once; every provider is off unless configured. Throws a
 * ConfigError naming every bad variable, including a provider configured by halves.
 */
export function parseCarbonConfig(env: NodeJS.ProcessEnv = process.env): CarbonConfig {
  const e = new EnvParser(env);
  const http = ['http:', 'https:'];

  const emToken = e.string('WATTPRINT_ELECTRICITYMAPS_TOKEN');
  const emZones = regionList(e, 'WATTPRINT_ELECTRICITYMAPS_ZONES');
  const emUrl = e.url('WATTPRINT_ELECTRICITYMAPS_URL', http, 'https://api.electricitymap.org/v3');
  if ((emToken === undefined) !== (emZones === undefined) && !e.problems.some((p) => p.variable === 'WATTPRINT_ELECTRICITYMAPS_ZONES')) {
    const missing = emToken === undefined ? 'WATTPRINT_ELECTRICITYMAPS_TOKEN' : 'WATTPRINT_ELECTRICITYMAPS_ZONES';
    e.problems.push({ variable: missing, value: '', expected: 'set together with the other Electricity Maps variables' });
  }

  const wtUser = e.string('WATTPRINT_WATTTIME_USERNAME');
  const wtPass = e.string('WATTPRINT_WATTTIME_PASSWORD');
  const wtRegions = regionList(e, 'WATTPRINT_WATTTIME_REGIONS');
  const wtUrl = e.url('WATTPRINT_WATTTIME_URL', http, 'https://api.watttime.org');
  const wtSignal = e.oneOf('WATTPRINT_WATTTIME_SIGNAL', ['co2_moer', 'co2_aoer'] as const, 'co2_moer');
  const wtSet = [wtUser, wtPass, wtRegions].filter((v) => v !== undefined).length;
  if (wtSet > 0 && wtSet < 3 && !e.problems.some((p) => p.variable === 'WATTPRINT_WATTTIME_REGIONS')) {
    for (const [name, v] of [
      ['WATTPRINT_WATTTIME_USERNAME', wtUser],
      ['WATTPRINT_WATTTIME_PASSWORD', wtPass],
      ['WATTPRINT_WATTTIME_REGIONS', wtRegions],
    ] as const) {
      if (v === undefined) e.problems.push({ variable: name, value: '', expected: 'set together with the other WattTime variables' });
    }
  }

  const ukEnabled = e.oneOf('WATTPRINT_UKCI_ENABLED', ['true', 'false', '1', '0'] as const, 'false');
  const ukUrl = e.url('WATTPRINT_UKCI_URL', http, 'https://api.carbonintensity.org.uk');
  const ukRegion = e.string('WATTPRINT_UKCI_REGION', 'GB');
  if (!REGION.test(ukRegion))
    e.problems.push({ variable: 'WATTPRINT_UKCI_REGION', value: ukRegion, expected: 'a region code of letters, digits, . _ -' });

  const config: CarbonConfig = {
    electricityMaps: emToken && emZones ? { baseUrl: emUrl, token: emToken, zones: emZones } : null,
    wattTime:
      wtUser && wtPass && wtRegions
        ? { baseUrl: wtUrl, username: wtUser, password: wtPass, regions: wtRegions, signalType: wtSignal }
        : null,
    ukCarbonIntensity: ukEnabled === 'true' || ukEnabled === '1' ? { baseUrl: ukUrl, region: ukRegion } : null,
    pollMs: e.int('WATTPRINT_INTENSITY_POLL_MS', 900_000, { min: 10_000, max: 86_400_000 }),
    requestTimeoutMs: e.int('WATTPRINT_INTENSITY_TIMEOUT_MS', 15_000, { min: 100, max: 300_000 }),
  };
  e.done();
  return config;
}
