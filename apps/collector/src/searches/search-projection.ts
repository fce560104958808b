/** z of the 90th percentile of a normal distribution. */
const Z90 = 1.2815515655446004;

export interface Projection {
  /** Projected energy of the whole search, kWh; p10/p90 null while fewer than two trials have ended. */
  energyKWh: { p10: number | null; p50: number; p90: number | null };
  /** Ended trials the projection is based on. */
  basedOnTrials: number;
  /** The trials it projects to: the planned count, or more when more have already run. */
  trials: number;
  method: string;
}

export const PROJECTION_METHOD = [
  'p50 = mean measured energy per ended trial × trials;',
  'p10/p90 = p50 ∓ 1.2816·s·√(r + r²/n), s the sample standard deviation of the n ended trials and r the trials not yet ended',
  '(their sum is normal with the sample’s mean and variance, the mean itself uncertain);',
  'p10 never below what the ended trials measured',
].join(' ');

/**
 * The final energy of a search projected from its ended trials: the mean per ended trial times the
 * trials (planned, or started when more have run than were planned), with a normal interval over the
 * trials still to come. Null when no trial has ended or the number of trials is unknown.
 */
export function projectSearch(endedKWh: readonly number[], plannedTrials: number | null, startedTrials: number): Projection | null {
  const n = endedKWh.length;
  if (n === 0 || plannedTrials === null) return null;
  const trials = Math.max(plannedTrials, startedTrials, n);
  const sum = endedKWh.reduce((s, v) => s + v, 0);
  const mean = sum / n;
  const p50 = mean * trials;
  if (n < 2) return { energyKWh: { p10: null, p50, p90: null }, basedOnTrials: n, trials, method: PROJECTION_METHOD };
  const variance = endedKWh.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  const r = trials - n;
  const half = Z90 * Math.sqrt(variance) * Math.sqrt(r + (r * r) / n);
  return {
    energyKWh: { p10: Math.max(sum, p50 - half), p50, p90: p50 + half },
    basedOnTrials: n,
    trials,
    method: PROJECTION_METHOD,
  };
}
