import { type HourFactor, type IntensityPeriod, type PueStep, hourFactorKey, meanIntensity, meanPue } from './emission-factors';
import { HOUR_MS } from './units';
import { yearlyAverage } from './yearly-average';

export interface NodeHour {
  node: string;
  hourStart: number;
}

/** What the database knows about the sites of the nodes asked for. */
export interface CarbonFacts {
  /** node → its site id; nodes missing here (or null) have no site. */
  nodeSites: ReadonlyMap<string, string | null>;
  /** site id → region and PUE schedule sorted by validFrom. */
  sites: ReadonlyMap<string, { region: string; pue: PueStep[] }>;
  /** region → periods overlapping the hours asked for, sorted by periodStart. */
  periods: ReadonlyMap<string, IntensityPeriod[]>;
}

/** The span of hours a set of keys needs, so one query per call fetches every period that matters. */
export function hourSpan(keys: readonly NodeHour[]): { from: number; to: number } | null {
  if (keys.length === 0) return null;
  let from = Infinity;
  let to = -Infinity;
  for (const k of keys) {
    from = Math.min(from, k.hourStart);
    to = Math.max(to, k.hourStart + HOUR_MS);
  }
  return { from, to };
}

/** First index whose periodStart is ≥ t (periods sorted by periodStart). */
function firstStartingAtOrAfter(periods: readonly IntensityPeriod[], t: number): number {
  let lo = 0;
  let hi = periods.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (periods[mid].periodStart < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A region's periods indexed for hour look-ups: binary search, then a bounded look back. */
class RegionSeries {
  private readonly longest: number;

  constructor(private readonly periods: readonly IntensityPeriod[]) {
    this.longest = periods.reduce((m, p) => Math.max(m, p.periodEnd - p.periodStart), 0);
  }

  overlapping(from: number, to: number): IntensityPeriod[] {
    const out: IntensityPeriod[] = [];
    for (let i = firstStartingAtOrAfter(this.periods, to) - 1; i >= 0; i--) {
      const p = this.periods[i];
      if (p.periodStart + this.longest <= from) break;
      if (p.periodEnd > from) out.push(p);
    }
    return out;
  }
}

/**
 * Emission factors of node-hours: PUE of the node's site over the hour, and the time-weighted mean
 * intensity of the site's region over the hour, falling back to the region's yearly average (flagged
 * estimated) when no period covers it. A node without a site gets PUE 1 and the WORLD average.
 */
export function resolveHourFactors(keys: readonly NodeHour[], facts: CarbonFacts): Map<string, HourFactor> {
  const series = new Map<string, RegionSeries>();
  const seriesOf = (region: string): RegionSeries => {
    let s = series.get(region);
    if (!s) series.set(region, (s = new RegionSeries(facts.periods.get(region) ?? [])));
    return s;
  };
  const unassigned: HourFactor = {
    siteId: null,
    region: null,
    pue: 1,
    gPerKwh: yearlyAverage('WORLD').gPerKwh,
    estimated: true,
    source: 'unassigned-node',
  };
  // Many nodes share a site: each (site, hour) is worked out once and its factor shared (frozen, so
  // no caller can change it under another).
  const bySiteHour = new Map<string, HourFactor>();
  const siteHourFactor = (siteId: string, site: { region: string; pue: PueStep[] }, hourStart: number): HourFactor => {
    const cacheKey = `${siteId}@${hourStart}`;
    let factor = bySiteHour.get(cacheKey);
    if (factor) return factor;
    const hourEnd = hourStart + HOUR_MS;
    const pue = site.pue.length > 0 ? meanPue(site.pue, hourStart, hourEnd) : 1;
    const measured = meanIntensity(seriesOf(site.region).overlapping(hourStart, hourEnd), hourStart, hourEnd);
    if (measured) {
      factor = { siteId, region: site.region, pue, gPerKwh: measured.gPerKwh, estimated: false, source: measured.source };
    } else {
      const avg = yearlyAverage(site.region);
      factor = { siteId, region: site.region, pue, gPerKwh: avg.gPerKwh, estimated: true, source: `yearly-average:${avg.region}` };
    }
    bySiteHour.set(cacheKey, Object.freeze(factor));
    return factor;
  };
  Object.freeze(unassigned);

  const out = new Map<string, HourFactor>();
  for (const { node, hourStart } of keys) {
    const siteId = facts.nodeSites.get(node) ?? null;
    const site = siteId === null ? undefined : facts.sites.get(siteId);
    out.set(hourFactorKey(node, hourStart), siteId === null || site === undefined ? unassigned : siteHourFactor(siteId, site, hourStart));
  }
  return out;
}
