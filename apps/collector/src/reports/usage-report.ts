import type { HourFactor } from './emission-factors';
import { emissionsOf, gpuHours, kg, kWh } from './emissions';
import type { UsageCell } from './usage.repository';

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
 * Folds SQL cells into report rows, applying each (node, hour)'s factor. Rows come ordered by
 * period, then key (nulls last), then idle last, so pages and CSV are stable.
 */
export function usageReport(
  cells: UsageCell[],
  factors: Map<string, HourFactor>,
): { rows: UsageRow[]; totals: UsageTotals; estimatedHours: string[] } {
  const groups = new Map<string, UsageCell[]>();
  for (const c of cells) {
    const id = JSON.stringify([c.periodStart, c.key, c.idle]);
    const list = groups.get(id);
    if (list) list.push(c);
    else groups.set(id, [c]);
  }
  const rows = [...groups.values()]
    .map((group) => {
      const e = emissionsOf(group, factors);
      const idleJoules = group.reduce((s, c) => s + c.idleJoules, 0);
      const first = group[0];
      return {
        sort: [first.periodStart, first.key, first.idle] as const,
        row: {
          period: new Date(first.periodStart).toISOString(),
          key: first.key,
          idle: first.idle,
          energyKWh: kWh(e.joules),
          facilityEnergyKWh: kWh(e.facilityJoules),
          co2eqKg: kg(e.grams),
          gpuHours: gpuHours(group.reduce((s, c) => s + c.gpuMs, 0)),
          idleShare: e.joules > 0 ? idleJoules / e.joules : 0,
          estimated: e.estimatedHours.length > 0,
        },
      };
    })
    .sort((a, b) => a.sort[0] - b.sort[0] || compareKeys(a.sort[1], b.sort[1]) || Number(a.sort[2]) - Number(b.sort[2]))
    .map((r) => r.row);
  const all = emissionsOf(cells, factors);
  const idleJoules = cells.reduce((s, c) => s + c.idleJoules, 0);
  return {
    rows,
    totals: {
      energyKWh: kWh(all.joules),
      facilityEnergyKWh: kWh(all.facilityJoules),
      co2eqKg: kg(all.grams),
      gpuHours: gpuHours(cells.reduce((s, c) => s + c.gpuMs, 0)),
      idleShare: all.joules > 0 ? idleJoules / all.joules : 0,
    },
    estimatedHours: all.estimatedHours.map((h) => new Date(h).toISOString()),
  };
}

function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
