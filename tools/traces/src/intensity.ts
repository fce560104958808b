import { deriveSeed, Rng } from './prng';
import { HOUR_MS } from '@wattprint/carbon';

/** How a grid's carbon intensity moves over a day. */
export interface RegionIntensityProfile {
  region: string;
  /** Daily mean, gCO2eq/kWh. */
  meanGPerKwh: number;
  /** Depth of the midday solar dip, as a share of the mean. */
  solarDip: number;
  /** Height of the evening peak (gas peakers), as a share of the mean. */
  eveningPeak: number;
  /** Local time minus UTC, hours; the shape follows the local sun and local evenings. */
  utcOffsetH: number;
  /** Hour-to-hour wobble (wind, imports), as a share of the mean. */
  noise: number;
}

/**
 * Means are the 2023 national averages CodeCarbon bundles (FRA 56.0, DEU 381.0, see
 * shared/fixtures/intensity/README.md); the daily shapes are plausible, not measured.
 */
export const REGION_PROFILES: Readonly<Record<string, RegionIntensityProfile>> = {
  FR: { region: 'FR', meanGPerKwh: 56, solarDip: 0.12, eveningPeak: 0.25, utcOffsetH: 1, noise: 0.05 },
  DE: { region: 'DE', meanGPerKwh: 381, solarDip: 0.35, eveningPeak: 0.18, utcOffsetH: 1, noise: 0.04 },
};

export interface IntensityRow {
  region: string;
  startMs: number;
  endMs: number;
  gPerKwh: number;
}

/** Noise-free intensity at a local hour of the day: a Gaussian dip at 13:00 and a bump at 19:00. */
export function dailyShape(profile: RegionIntensityProfile, localHour: number): number {
  const dip = profile.solarDip * Math.exp(-(((localHour - 13) / 3) ** 2));
  const peak = profile.eveningPeak * Math.exp(-(((localHour - 19) / 2) ** 2));
  return profile.meanGPerKwh * (1 - dip + peak);
}

/**
 * One value per region per whole UTC hour that touches [startMs, endMs], so every sample of the
 * window falls inside some hour. Values carry one decimal, as providers publish them.
 */
export function hourlyIntensity(profiles: readonly RegionIntensityProfile[], startMs: number, endMs: number, seed: number): IntensityRow[] {
  const first = Math.floor(startMs / HOUR_MS) * HOUR_MS;
  const last = Math.max(first + HOUR_MS, Math.ceil((endMs + 1) / HOUR_MS) * HOUR_MS);
  const rows: IntensityRow[] = [];
  profiles.forEach((profile, index) => {
    const rng = new Rng(deriveSeed(seed, 0x1a7e, index));
    for (let t = first; t < last; t += HOUR_MS) {
      const localHour = (((t / HOUR_MS + profile.utcOffsetH + 0.5) % 24) + 24) % 24;
      const value = dailyShape(profile, localHour) * (1 + profile.noise * rng.normal());
      rows.push({ region: profile.region, startMs: t, endMs: t + HOUR_MS, gPerKwh: Math.max(1, Math.round(value * 10) / 10) });
    }
  });
  return rows;
}

export function formatIntensityCsv(rows: readonly IntensityRow[]): string {
  const lines = ['region,start,end,g_per_kwh'];
  for (const row of rows) {
    lines.push(`${row.region},${new Date(row.startMs).toISOString()},${new Date(row.endMs).toISOString()},${row.gPerKwh}`);
  }
  return `${lines.join('\n')}\n`;
}
