import { HOUR_MS } from '@wattprint/carbon';
import type { YearlyAverages } from './yearly-averages';

/**
 * SQL twin of the collector's resolveHourFactors (apps/collector/src/carbon/emissions): given a CTE
 * `node_hours(node, hour_start)`, these CTEs end in `hour_factors(node, hour_start, site_id, pue,
 * g_per_kwh, estimated)`; with `keys = 'site'`, given `site_hour_keys(site_key, hour_start)` (the
 * site's id, '' for nodes without one), in `hour_factors(site_key, hour_start, …)`. Factors depend on
 * the site alone, so panels price by site: a month of 125 nodes is 90,000 node-hours but 1,440
 * site-hours to resolve and join. The rules are the collector's:
 *
 * - PUE: time-weighted mean over the hour of the site's piecewise-constant schedule; the first step
 *   also holds before its valid_from; a site without a schedule, or a node without a site, gets 1.
 * - Intensity: time-weighted mean over the hour of the region's periods where at each instant the
 *   best covering period counts (actual over forecast, then newest revision, then latest start);
 *   uncovered parts of the hour are left out of the mean.
 * - No period covering the hour: the yearly average of the region, else of its parent zone (the part
 *   before the first `-` or `_`), else WORLD, flagged estimated. A node without a site gets WORLD.
 *
 * Everything is PostgreSQL; the cost grows with distinct keys and hours, not with buckets.
 */
export function hourFactorsCtes(yearly: YearlyAverages, keys: 'node' | 'site' = 'node'): string {
  const values = [...yearly].map(([region, g]) => `('${region}', ${g}::double precision)`).join(',\n    ');
  const factorKeys =
    keys === 'node'
      ? `SELECT nh.node AS key, nh.hour_start, s.id AS site_id, s.region
  FROM node_hours nh
  LEFT JOIN nodes n ON n.name = nh.node
  LEFT JOIN sites s ON s.id = n.site_id`
      : `SELECT k.site_key AS key, k.hour_start, s.id AS site_id, s.region
  FROM site_hour_keys k
  LEFT JOIN sites s ON s.id = k.site_key`;
  return `factor_keys AS (
  ${factorKeys}
),
site_hours AS (
  SELECT DISTINCT site_id, region, hour_start FROM factor_keys WHERE site_id IS NOT NULL
),
pue_steps AS (
  -- The first step reaches back to the beginning of time, the last one forward to its end.
  SELECT site_id, pue,
    CASE WHEN row_number() OVER w = 1 THEN -9000000000000000000 ELSE valid_from END AS step_from,
    COALESCE(lead(valid_from) OVER w, 9000000000000000000) AS step_to
  FROM site_pue
  WHERE site_id IN (SELECT site_id FROM site_hours)
  WINDOW w AS (PARTITION BY site_id ORDER BY valid_from)
),
site_hour_pue AS MATERIALIZED (
  SELECT sh.site_id, sh.hour_start,
    SUM((LEAST(p.step_to, sh.hour_start + ${HOUR_MS}) - GREATEST(p.step_from, sh.hour_start)) * p.pue) / ${HOUR_MS}.0 AS pue
  FROM site_hours sh
  JOIN pue_steps p ON p.site_id = sh.site_id AND p.step_from < sh.hour_start + ${HOUR_MS} AND p.step_to > sh.hour_start
  GROUP BY sh.site_id, sh.hour_start
),
region_hours AS MATERIALIZED (
  SELECT DISTINCT region, hour_start FROM site_hours
),
region_spans AS (
  SELECT region, MIN(hour_start) AS first_hour, MAX(hour_start) + ${HOUR_MS} AS end_hour FROM region_hours GROUP BY region
),
period_hours AS MATERIALIZED (
  -- Every period of a region once for each hour of the region's span it overlaps: the periods of the
  -- whole range in one scan, then hash-joined to the hours asked for (hour_periods). One lookup per
  -- hour (through the GiST index of migration 0013) took 0.9 s for a year of two regions. Its own
  -- CTE, so the planner cannot join the hours by region alone before spreading the periods (a
  -- year: 153 M rows, 78 s).
  SELECT gi.region, spread.hour_start, gi.period_start, gi.period_end, gi.g_per_kwh, gi.kind, gi.revised_at
  FROM region_spans rs
  JOIN grid_intensity gi ON gi.region = rs.region AND gi.period_end > rs.first_hour AND gi.period_start < rs.end_hour
  CROSS JOIN LATERAL generate_series(
    GREATEST(gi.period_start - ((gi.period_start % ${HOUR_MS}) + ${HOUR_MS}) % ${HOUR_MS}, rs.first_hour),
    LEAST(gi.period_end - 1, rs.end_hour - 1),
    ${HOUR_MS}::bigint
  ) AS spread(hour_start)
),
hour_periods AS MATERIALIZED (
  -- each period clipped to an hour of its region asked for
  SELECT ph.region, ph.hour_start, GREATEST(ph.period_start, ph.hour_start) AS p_from,
    LEAST(ph.period_end, ph.hour_start + ${HOUR_MS}) AS p_to, ph.g_per_kwh, ph.kind, ph.revised_at, ph.period_start
  FROM period_hours ph
  JOIN region_hours rh ON rh.region = ph.region AND rh.hour_start = ph.hour_start
),
intensity_cuts AS (
  -- Every instant inside the hour where the set of covering periods may change.
  SELECT region, hour_start, hour_start AS t FROM region_hours
  UNION SELECT region, hour_start, hour_start + ${HOUR_MS} FROM region_hours
  UNION SELECT region, hour_start, p_from FROM hour_periods
  UNION SELECT region, hour_start, p_to FROM hour_periods
),
intensity_segments AS (
  SELECT region, hour_start, t AS seg_from, lead(t) OVER (PARTITION BY region, hour_start ORDER BY t) AS seg_to
  FROM intensity_cuts
),
segment_intensity AS (
  -- The best period covering each segment; segments no period covers drop out.
  SELECT DISTINCT ON (sg.region, sg.hour_start, sg.seg_from) sg.region, sg.hour_start, sg.seg_to - sg.seg_from AS span_ms, hp.g_per_kwh
  FROM intensity_segments sg
  JOIN hour_periods hp ON hp.region = sg.region AND hp.hour_start = sg.hour_start AND hp.p_from <= sg.seg_from AND hp.p_to >= sg.seg_to
  WHERE sg.seg_to IS NOT NULL
  ORDER BY sg.region, sg.hour_start, sg.seg_from, CASE WHEN hp.kind = 'actual' THEN 0 ELSE 1 END, hp.revised_at DESC, hp.period_start DESC
),
region_hour_intensity AS MATERIALIZED (
  SELECT region, hour_start, SUM(span_ms * g_per_kwh) / SUM(span_ms) AS g_per_kwh
  FROM segment_intensity
  GROUP BY region, hour_start
),
yearly_average(region, g_per_kwh) AS (
  VALUES
    ${values}
),
hour_factors AS MATERIALIZED (
  SELECT sn.key AS ${keys === 'node' ? 'node' : 'site_key'}, sn.hour_start, sn.site_id,
    COALESCE(shp.pue, 1.0) AS pue,
    COALESCE(rhi.g_per_kwh, ya_region.g_per_kwh, ya_zone.g_per_kwh, ya_world.g_per_kwh) AS g_per_kwh,
    rhi.g_per_kwh IS NULL AS estimated
  FROM factor_keys sn
  LEFT JOIN site_hour_pue shp ON shp.site_id = sn.site_id AND shp.hour_start = sn.hour_start
  LEFT JOIN region_hour_intensity rhi ON rhi.region = sn.region AND rhi.hour_start = sn.hour_start
  LEFT JOIN yearly_average ya_region ON ya_region.region = upper(sn.region)
  LEFT JOIN yearly_average ya_zone ON ya_zone.region = split_part(translate(upper(sn.region), '_', '-'), '-', 1)
  CROSS JOIN (SELECT g_per_kwh FROM yearly_average WHERE region = 'WORLD') ya_world
)`;
}
