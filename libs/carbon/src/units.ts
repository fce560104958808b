/**
 * The ledger's units, written once: time in epoch milliseconds, energy in joules, mass in grams inside;
 * kWh, kg and hours only at the edges.
 */

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** 1 kWh = 3.6 MJ. */
export const JOULES_PER_KWH = 3.6e6;
export const GRAMS_PER_KG = 1000;

export function kWhOf(joules: number): number {
  return joules / JOULES_PER_KWH;
}

export function joulesOf(kWh: number): number {
  return kWh * JOULES_PER_KWH;
}

export function kgOf(grams: number): number {
  return grams / GRAMS_PER_KG;
}

/** Hours in a span of milliseconds (GPU-hours from summed sample durations). */
export function hoursOf(durationMs: number): number {
  return durationMs / HOUR_MS;
}

/** The start of the UTC hour holding `t`. */
export function hourStartOf(t: number): number {
  return Math.floor(t / HOUR_MS) * HOUR_MS;
}

/** The start of the minute holding `t`. */
export function minuteStartOf(t: number): number {
  return Math.floor(t / MINUTE_MS) * MINUTE_MS;
}
