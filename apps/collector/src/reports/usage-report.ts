import { HOUR_MS } from '@wattprint/carbon';
import { gpuHours, kg, kWh } from './emissions';
import type { UsageSums } from './usage.repository';

export interface UsageRow {
  period: string;
  /** The team, user, …, node or site; null when the jobs carry none (or for the idle row). */
  key: string | null;
  /** The energy no job held (grouping by a job attribute only). */
  idle: boolean;
  energyKWh: number;
  facilityEnergyKWh: number;
  co2eqKg: number;
  gpuHours: number;
  /** Idle energy / energy of the row. */
  idleShare: number;
  /** True when any hour of the row used an estimated factor. */
  estimated: boolean;
}

export interface UsageTotals {
  energyKWh: number;
  facilityEnergyKWh: number;
  co2eqKg: number;
  gpuHours: number;
  idleShare: number;
}

/**
 * Report rows from the SQL sums (emissions already applied per site and hour), ordered by period,
 * then key (nulls last), then idle last, so pages and CSV are stable; and the totals over all rows.
 */
export function usageReport(
  sums: readonly UsageSums[],
  estimatedHours: readonly number[],
): { rows: UsageRow[]; totals: UsageTotals; estimatedHours: string[] } {
  const isoOf = new Map<number, string>();
  const iso = (ms: number) => isoOf.get(ms) ?? isoOf.set(ms, new Date(ms).toISOString()).get(ms)!;
  const rows = inReportOrder(sums).map((s) => ({
    period: iso(s.periodStart),
    key: s.key,
    idle: s.idle,
    energyKWh: kWh(s.joules),
    facilityEnergyKWh: kWh(s.facilityJoules),
    co2eqKg: kg(s.grams),
    gpuHours: gpuHours(s.gpuMs),
    idleShare: s.joules > 0 ? s.idleJoules / s.joules : 0,
    estimated: s.estimated,
  }));
  // one pass, not one a figure: five passes over a year by user and day took 60 ms here
  const sum = { joules: 0, facilityJoules: 0, grams: 0, gpuMs: 0, idleJoules: 0 };
  for (const s of sums) {
    sum.joules += s.joules;
    sum.facilityJoules += s.facilityJoules;
    sum.grams += s.grams;
    sum.gpuMs += s.gpuMs;
    sum.idleJoules += s.idleJoules;
  }
  return {
    rows,
    totals: {
      energyKWh: kWh(sum.joules),
      facilityEnergyKWh: kWh(sum.facilityJoules),
      co2eqKg: kg(sum.grams),
      gpuHours: gpuHours(sum.gpuMs),
      idleShare: sum.joules > 0 ? sum.idleJoules / sum.joules : 0,
    },
    estimatedHours: estimatedHours.map((h) => new Date(h).toISOString()),
  };
}

/**
 * The rows by period, key and idle. A year by user and day is 73,000 rows of a few hundred keys and
 * periods: both are ranked once, and each row's place (period rank, key rank, idle, then its index,
 * which keeps rows the same in all three in their order) becomes one number, sorted natively
 * (tools/bench/usage-order.mjs: with the rows shaped too, 2.0-3.4 times as fast as a comparator sort and
 * a Date a row). Past `exactBelow`, where the numbers would no longer be exact, a comparator sort.
 */
export function inReportOrder(sums: readonly UsageSums[], exactBelow = Number.MAX_SAFE_INTEGER): UsageSums[] {
  const keys = new Map<string | null, number>();
  const periods = new Map<number, number>();
  // periods by the hour: small integers hash faster than epoch milliseconds
  for (const s of sums) {
    keys.set(s.key, 0);
    periods.set(s.periodStart / HOUR_MS, 0);
  }
  [...keys.keys()].sort(compareKeys).forEach((k, i) => keys.set(k, i));
  [...periods.keys()].sort((a, b) => a - b).forEach((p, i) => periods.set(p, i));
  const n = sums.length;
  // exact below 2^53: periods × keys × 2 × rows, e.g. 400 days by the hour of 1,000 keys (9.6 M rows) is 1.8e14
  if (periods.size * keys.size * 2 * n >= exactBelow)
    return [...sums].sort((a, b) => a.periodStart - b.periodStart || compareKeys(a.key, b.key) || Number(a.idle) - Number(b.idle));
  const places = new Float64Array(n);
  sums.forEach((s, i) => {
    places[i] = ((periods.get(s.periodStart / HOUR_MS)! * keys.size + keys.get(s.key)!) * 2 + Number(s.idle)) * n + i;
  });
  return Array.from(places.sort(), (place) => sums[place % n]);
}

function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
