import type { IntensitySeries } from '@wattprint/estimation';
import { HOUR_MS, type IntensityPeriod, meanIntensity } from '@wattprint/carbon';

/**
 * The hourly series the estimation library takes (contiguous hours from `startHour`), built from the
 * stored periods of a region: each hour is the time-weighted mean of what covers it, actual over
 * forecast. It stops at the first hour nothing covers, so it never invents an hour; null when even
 * the first hour is uncovered.
 */
export function hourlySeries(periods: readonly IntensityPeriod[], startHour: number, maxHours: number): IntensitySeries | null {
  const values: number[] = [];
  for (let h = 0; h < maxHours; h++) {
    const from = startHour + h * HOUR_MS;
    const mean = meanIntensity(periods, from, from + HOUR_MS);
    if (mean === null) break;
    values.push(mean.gPerKwh);
  }
  return values.length === 0 ? null : { startMs: startHour, gPerKWh: values };
}
