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
  const rows = [...sums]
    .sort((a, b) => a.periodStart - b.periodStart || compareKeys(a.key, b.key) || Number(a.idle) - Number(b.idle))
    .map((s) => ({
      period: new Date(s.periodStart).toISOString(),
      key: s.key,
      idle: s.idle,
      energyKWh: kWh(s.joules),
      facilityEnergyKWh: kWh(s.facilityJoules),
      co2eqKg: kg(s.grams),
      gpuHours: gpuHours(s.gpuMs),
      idleShare: s.joules > 0 ? s.idleJoules / s.joules : 0,
      estimated: s.estimated,
    }));
  const total = (pick: (s: UsageSums) => number) => sums.reduce((sum, s) => sum + pick(s), 0);
  const joules = total((s) => s.joules);
  return {
    rows,
    totals: {
      energyKWh: kWh(joules),
      facilityEnergyKWh: kWh(total((s) => s.facilityJoules)),
      co2eqKg: kg(total((s) => s.grams)),
      gpuHours: gpuHours(total((s) => s.gpuMs)),
      idleShare: joules > 0 ? total((s) => s.idleJoules) / joules : 0,
    },
    estimatedHours: estimatedHours.map((h) => new Date(h).toISOString()),
  };
}

function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
