/**
 * Emission arithmetic: pure functions, no I/O. Everything here is in the internal units of the
 * ledger: epoch milliseconds, joules, grams, gCO2eq/kWh.
 */

import { JOULES_PER_KWH } from './units';

/** What turns one node-hour of IT energy into CO2eq. */
export interface HourFactor {
  /** The node's site; null when the node is not assigned to one. */
  siteId: string | null;
  /** The site's grid region; null when the node has no site. */
  region: string | null;
  /** Facility energy / IT energy of the site over that hour. */
  pue: number;
  /** Grid carbon intensity over that hour, gCO2eq per kWh of facility energy. */
  gPerKwh: number;
  /** True when no series covered the hour and a yearly average stood in. */
  estimated: boolean;
  /** Where gPerKwh came from: series sources, `yearly-average:<region>`, or `unassigned-node`. */
  source: string;
}

/** Key of an hour factor: `${node}@${hourStart}`. */
export function hourFactorKey(node: string, hourStart: number): string {
  return `${node}@${hourStart}`;
}

/** grams CO2eq = kWh of IT energy × PUE × gCO2eq/kWh. */
export function co2eqGrams(joules: number, factor: Pick<HourFactor, 'pue' | 'gPerKwh'>): number {
  return (joules / JOULES_PER_KWH) * factor.pue * factor.gPerKwh;
}

/** One step of a PUE schedule: holds from validFrom until the next step. */
export interface PueStep {
  validFrom: number;
  pue: number;
}

/**
 * Mean PUE over [from, to) of a piecewise-constant schedule, weighted by time, so a change in the
 * middle of an hour counts for the part of the hour it covers. Before the first step the first step's
 * value holds: a schedule entered late still describes the site better than no PUE at all.
 * `steps` must be sorted by validFrom and not empty.
 */
export function meanPue(steps: readonly PueStep[], from: number, to: number): number {
  if (steps.length === 0) throw new RangeError('meanPue needs at least one schedule step');
  let weighted = 0;
  for (let i = 0; i < steps.length; i++) {
    const start = i === 0 ? -Infinity : steps[i].validFrom;
    const end = i + 1 < steps.length ? steps[i + 1].validFrom : Infinity;
    const overlap = Math.min(end, to) - Math.max(start, from);
    if (overlap > 0) weighted += overlap * steps[i].pue;
  }
  return weighted / (to - from);
}

/** One period of a grid-intensity series, as stored. */
export interface IntensityPeriod {
  periodStart: number;
  periodEnd: number;
  gPerKwh: number;
  kind: 'actual' | 'forecast';
  source: string;
  revisedAt: number;
}

export interface HourIntensity {
  gPerKwh: number;
  /** Distinct sources that contributed, forecasts marked `(forecast)`. */
  source: string;
  /** Share of the hour that some period covered, 0–1. */
  coverage: number;
}

/** Rank of a period where several cover the same instant: actual beats forecast, then the newest revision. */
function outranks(a: IntensityPeriod, b: IntensityPeriod): boolean {
  if (a.kind !== b.kind) return a.kind === 'actual';
  if (a.revisedAt !== b.revisedAt) return a.revisedAt > b.revisedAt;
  return a.periodStart > b.periodStart;
}

/**
 * Time-weighted mean intensity over [from, to) of the periods that overlap it. At each instant the
 * best-ranked covering period counts (actual over forecast, newest revision first), so an hourly
 * series and a finer one for the same region never count twice. Uncovered parts of the window are
 * left out of the mean; when nothing covers the window the result is null and the caller falls back.
 */
export function meanIntensity(periods: readonly IntensityPeriod[], from: number, to: number): HourIntensity | null {
  const overlapping = periods.filter((p) => p.periodStart < to && p.periodEnd > from);
  if (overlapping.length === 0) return null;
  const cuts = new Set<number>([from, to]);
  for (const p of overlapping) {
    if (p.periodStart > from) cuts.add(p.periodStart);
    if (p.periodEnd < to) cuts.add(p.periodEnd);
  }
  const edges = [...cuts].sort((a, b) => a - b);
  let covered = 0;
  let weighted = 0;
  const sources = new Set<string>();
  for (let i = 0; i + 1 < edges.length; i++) {
    const [a, b] = [edges[i], edges[i + 1]];
    let best: IntensityPeriod | undefined;
    for (const p of overlapping) {
      if (p.periodStart <= a && p.periodEnd >= b && (best === undefined || outranks(p, best))) best = p;
    }
    if (best === undefined) continue;
    covered += b - a;
    weighted += (b - a) * best.gPerKwh;
    sources.add(best.kind === 'forecast' ? `${best.source} (forecast)` : best.source);
  }
  return { gPerKwh: weighted / covered, source: [...sources].sort().join('+'), coverage: covered / (to - from) };
}
