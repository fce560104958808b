import { hourFactorsCtes } from './emission-factors.sql';
import { type DailyUse, type LedgerGrain, dailyCondition, ledgerCtes } from './grafana-macros';
import type { YearlyAverages } from './yearly-averages';
import { HOUR_MS, JOULES_PER_KWH } from '@wattprint/carbon';

/** Joules in a kWh as a SQL numeric literal, so the division is not an integer one. */
export const KWH_J = `${JOULES_PER_KWH}.0`;

/** A column the energy is grouped by: an SQL expression over `eb` (the ledger: see ledgerCtes), `j` (jobs), `n` (nodes). */
export interface Dimension {
  expr: string;
  alias: string;
}

export interface EnergyScope {
  /** Grouping columns kept beside node and hour, e.g. the site or the team. */
  dimensions: readonly Dimension[];
  /** Extra conditions on eb/j/n, ANDed with the dashboard's time range. */
  filters: readonly string[];
  /**
   * 'node' for panels whose dimensions and filters name no job (no `j`, no eb.job_id or eb.device):
   * they read the rollup by node, a row per node and device kind an hour; 'site' for those that name
   * no node either (no eb.node; n.site_id is there): the rollup by site; 'group' for those that name
   * a job's team, project, user or cluster (j.team, …) but no job, device or node: the rollup by job
   * group. Default 'job'.
   */
  grain?: LedgerGrain;
  /** Whole days from the daily rollups (node and group grains): see DailyUse. */
  days?: DailyUse;
  /** The width of the panel's time-series steps (stepMs), which 'whole-day-steps' tests; default STEP_MS. */
  step?: string;
}

/** How each grain's rows reach their job (j) and their node's site (n.site_id). */
const PLACES: Record<LedgerGrain, string> = {
  job: 'LEFT JOIN jobs j ON j.id = eb.job_id\n  LEFT JOIN nodes n ON n.name = eb.node',
  node: 'LEFT JOIN nodes n ON n.name = eb.node',
  site: "CROSS JOIN LATERAL (SELECT NULLIF(eb.site_key, '') AS site_id) n",
  group:
    "CROSS JOIN LATERAL (SELECT NULLIF(eb.site_key, '') AS site_id) n\n  " +
    'CROSS JOIN LATERAL (SELECT eb.team, eb.project, eb."user", eb.cluster) j',
};

/** The idle job's part of a row's energy, by grain. */
const IDLE_JOULES: Record<LedgerGrain, string> = {
  job: "CASE WHEN eb.job_id = '' THEN eb.joules ELSE 0 END",
  node: 'eb.idle_joules',
  site: 'eb.idle_joules',
  group: 'CASE WHEN eb.is_idle = 1 THEN eb.joules ELSE 0 END',
};

/** A row's GPU time. */
const GPU_MS = "CASE WHEN eb.device_kind = 'gpu' THEN eb.duration_ms ELSE 0 END";

/** The node of a bucket, as a dimension: only panels that show nodes group by it. */
export const NODE: Dimension = { expr: 'eb.node', alias: 'node' };

/** The expressions panels reuse for the site of a bucket and the job attributes, null shown plainly. */
export const UNASSIGNED = '(unassigned)';
export const NONE = '(none)';
export const SITE_EXPR = `COALESCE(n.site_id, '${UNASSIGNED}')`;
export const jobAttr = (column: 'team' | 'user' | 'project' | 'name'): string => `COALESCE(j."${column}", '${NONE}')`;

/**
 * A WITH clause ending in `energy`, rows of the dimensions, site_key ('' for nodes without a site),
 * hour_start, joules (IT), idle_joules, gpu_ms, facility_joules, grams CO2eq and estimated_joules
 * (the energy priced with an estimated factor), which panels add up by whatever they show (several
 * rows may share a group and hour: only sums of them mean anything). Emissions are derived at query
 * time from the hours, as everywhere in Wattprint: the hours are summed by (dimensions, site, hour)
 * and priced by site and hour — by site, not node, unless a dimension names the node (NODE): a year
 * of 125 nodes is 1.1 M node-hours but 17,500 site-hours to sort and price. For a panel with `days`,
 * its whole current days come from the daily rollups already priced, a row each as stored
 * (hour_start the day's start): summed first by (dimensions, site, day) as well, a year of the org
 * view's users sorted its 145,600 daily rows twice (the panel 1.45-1.66 s, 0.83-1.09 s without it).
 */
export function energyWith(scope: EnergyScope, yearly: YearlyAverages): string {
  const dims = scope.dimensions.map((d) => `${d.expr} AS ${d.alias}`);
  // the hour first: sorted for the sum, rows then compare by an integer before any text (the org
  // view's week by project, 67,000 group-hours: 0.85-0.94 -> 0.53-0.67 s with the hour last)
  const groupBy = ['eb.hour_start', 'n.site_id', ...scope.dimensions.map((d) => d.expr)];
  const where = scope.filters.length === 0 ? 'TRUE' : scope.filters.join('\n    AND ');
  const grain = scope.grain ?? 'job';
  const keys = [...dims, "COALESCE(n.site_id, '') AS site_key", 'eb.hour_start'].join(', ');
  const from = (ledger: string) => `FROM ${ledger} eb
  ${PLACES[grain]}
  WHERE ${where}`;
  // the job grain's daily rows are by (job, site): no node or device for PLACES to join (top-jobs.sql.ts reads them)
  if (grain === 'job' && scope.days !== undefined) throw new Error('energyWith: the job grain reads no daily rows');
  const days = dailyCondition(grain, scope.days, scope.step) !== null;
  return `WITH ${ledgerCtes(grain, scope.days, scope.step)},
buckets AS (
  SELECT ${keys},
    SUM(eb.joules) AS joules,
    SUM(${IDLE_JOULES[grain]}) AS idle_joules,
    SUM(${GPU_MS}) AS gpu_ms
  ${from('ledger')}
  GROUP BY ${groupBy.join(', ')}
),
site_hour_keys AS (
  SELECT DISTINCT site_key, hour_start FROM buckets
),
${hourFactorsCtes(yearly, 'site')},
${
  days
    ? `priced_days AS (
  SELECT ${keys},
    eb.joules, ${IDLE_JOULES[grain]} AS idle_joules, ${GPU_MS} AS gpu_ms,
    eb.facility_joules, eb.grams, eb.estimated_joules
  ${from('ledger_days')}
),
`
    : ''
}energy AS (
  SELECT b.*,
    b.joules * f.pue AS facility_joules,
    b.joules / ${KWH_J} * f.pue * f.g_per_kwh AS grams,
    CASE WHEN f.estimated THEN b.joules ELSE 0 END AS estimated_joules
  FROM buckets b
  JOIN hour_factors f ON f.site_key = b.site_key AND f.hour_start = b.hour_start${days ? '\n  UNION ALL\n  SELECT * FROM priced_days' : ''}
)`;
}

/** The figures every panel shows, summed over whatever the outer query groups by. */
export const FIGURES = {
  itKWh: `SUM(joules) / ${KWH_J}`,
  facilityKWh: `SUM(facility_joules) / ${KWH_J}`,
  co2eqKg: `SUM(grams) / 1000.0`,
  gpuHours: `SUM(gpu_ms) / ${HOUR_MS}.0`,
  idleShare: `COALESCE(SUM(idle_joules) / NULLIF(SUM(joules), 0), 0)`,
  estimatedShare: `COALESCE(SUM(estimated_joules) / NULLIF(SUM(joules), 0), 0)`,
  /** Energy-weighted means: what the site's factors were where the energy was actually spent. */
  meanPue: `SUM(facility_joules) / NULLIF(SUM(joules), 0)`,
  meanIntensity: `SUM(grams) / NULLIF(SUM(facility_joules) / ${KWH_J}, 0)`,
} as const;
