import { HOUR_MS } from '@wattprint/carbon';
import { hourFactorsCtes } from './emission-factors.sql';
import { KWH_J, jobAttr } from './energy.sql';
import { ledgerCtes } from './grafana-macros';
import { jobTotalsCtes } from './job-totals.sql';
import type { YearlyAverages } from './yearly-averages';

export interface TopJobsScope {
  /** Conditions on the ledger rows (eb) and their node (n), e.g. the site variable. */
  rowFilters: readonly string[];
  /** Conditions on the job (j), e.g. the team and project variables: a job's rows all pass or all fail them. */
  jobFilters: readonly string[];
}

/**
 * The 20 jobs with the most CO2eq inside the range: their IT and facility energy, CO2eq and
 * GPU-hours, with name, user, team and project. Whole current days come priced from the daily
 * rollups by job: the jobs whose days all lie inside them from each job's total (energy_job_total),
 * walked in order of CO2eq and stopped at the 20th, the few others from their daily rows
 * (job-totals.sql.ts); the other hours' rows are priced by their (site, hour) and filtered on their
 * job. A job is ranked on the sum of its parts, and only the 20 kept are looked up for their name
 * and user. A year of 1,000 GPUs is 1.46 M job-days: summed by job on every read, 2.8-3.6 s
 * (docs/scale.md). A job outside the 20 totals walked and with no other part cannot outrank them:
 * its range's energy is its total. Not energyWith: its sum by (job, site, hour) merges nothing when
 * a job's devices are one a node, and PostgreSQL, not seeing the range's bounds, sorted the rows
 * twice around it (a month, 2.5 s under EXPLAIN ANALYZE).
 */
export function topJobsSql(scope: TopJobsScope, yearly: YearlyAverages): string {
  const conditions = [`eb.job_id <> ''`, ...scope.rowFilters, ...scope.jobFilters].join('\n    AND ');
  return `WITH ${ledgerCtes('job', 'always')},
job_rows AS (
  SELECT eb.job_id, COALESCE(n.site_id, '') AS site_key, eb.hour_start, eb.joules,
    CASE WHEN eb.device_kind = 'gpu' THEN eb.duration_ms ELSE 0 END AS gpu_ms
  FROM ledger eb
  LEFT JOIN nodes n ON n.name = eb.node${scope.jobFilters.length > 0 ? '\n  LEFT JOIN jobs j ON j.id = eb.job_id' : ''}
  WHERE ${conditions}
),
site_hour_keys AS (
  SELECT DISTINCT site_key, hour_start FROM job_rows
),
${hourFactorsCtes(yearly, 'site')},
hour_jobs AS (
  SELECT r.job_id, SUM(r.joules) AS joules, SUM(r.joules * f.pue) AS facility_joules,
    SUM(r.joules / ${KWH_J} * f.pue * f.g_per_kwh) AS grams, SUM(r.gpu_ms) AS gpu_ms
  FROM job_rows r
  JOIN hour_factors f ON f.site_key = r.site_key AND f.hour_start = r.hour_start
  GROUP BY r.job_id
),
${jobTotalsCtes(conditions)},
top_inside AS (
  SELECT * FROM inside_jobs ORDER BY grams DESC, job_id LIMIT 20
),
priced AS (
  SELECT job_id, joules, facility_joules, grams, gpu_ms FROM hour_jobs
  UNION ALL
  SELECT job_id, joules, facility_joules, grams, gpu_ms FROM exact_days
  UNION ALL
  SELECT job_id, joules, facility_joules, grams, gpu_ms FROM top_inside
  UNION ALL
  -- a job with a total beyond the 20 and hours too (the range's edges; a marked day it had no row on),
  -- looked up by its key (OFFSET 0: see job-totals.sql.ts)
  SELECT i.job_id, i.joules, i.facility_joules, i.grams, i.gpu_ms
  FROM hour_jobs h
  CROSS JOIN LATERAL (SELECT * FROM inside_jobs i WHERE i.job_id = h.job_id OFFSET 0) i
  WHERE h.job_id NOT IN (SELECT job_id FROM top_inside)
),
per_job AS (
  SELECT job_id, SUM(joules) / ${KWH_J} AS "IT energy", SUM(facility_joules) / ${KWH_J} AS "Facility energy",
    SUM(grams) / 1000.0 AS "CO2eq", SUM(gpu_ms) / ${HOUR_MS}.0 AS "GPU-hours"
  FROM priced
  GROUP BY job_id
  ORDER BY "CO2eq" DESC, job_id LIMIT 20
)
SELECT pj.job_id AS "Job", ${jobAttr('name')} AS "Name", ${jobAttr('user')} AS "User", ${jobAttr('team')} AS "Team",
  ${jobAttr('project')} AS "Project", pj."IT energy", pj."Facility energy", pj."CO2eq", pj."GPU-hours"
FROM per_job pj
LEFT JOIN jobs j ON j.id = pj.job_id
ORDER BY pj."CO2eq" DESC, pj.job_id`;
}
