import { DAY_MS } from '@wattprint/carbon';

/**
 * A job's energy over the whole days of a range (ledger_plan's [days_from, days_to), none marked),
 * read mostly from energy_job_total, each job's daily rows summed (migration 0019), instead of
 * summing every job-day of the range by job: a year of 1,000 GPUs is 1.46 M job-days (2.8-3.6 s for
 * top jobs and the job count; docs/scale.md). A job's total is its whole days' energy in the range
 * when every one of its days lies there unmarked and on one site; the jobs with days on both sides
 * of the whole days' first or last edge, on more than one site, or with a row on a marked day
 * (`exact_jobs`, a few) are summed from their daily rows.
 *
 * `conditions` filter a row of either table as eb, its site as n.site_id and its team and project
 * as j.team and j.project: a job's rows all pass or all fail them but for the site, and a job
 * whose total is read has one. The ledger CTEs of the job grain with days ('always') come first.
 *
 * Four CTEs: `marked_days`, the marked days among the whole days; `exact_jobs`; `exact_days`, the
 * exact jobs' unmarked whole days in the range, one row each; and `inside_jobs`, not materialised,
 * the other jobs' totals (insideJobs).
 *
 * Every join between these sets is driven from the small side through an index, never left to the
 * planner's estimates: the sets come from CTEs it cannot see into, and a nested loop it chose over
 * two of them (the inside jobs against the hours' jobs, 116,000 × 5,000) took 89 s.
 */
export function jobTotalsCtes(conditions: string): string {
  // PostgreSQL finds the jobs whose days straddle an edge through the GiST index on their span
  const straddles = (edge: string) =>
    `SELECT eb.job_id FROM ledger_plan p JOIN energy_job_total eb
    ON int8range(eb.first_day, eb.last_day, '[]') @> int8range(${edge} - ${DAY_MS}, ${edge}, '[]')`;
  return `marked_days AS (
  SELECT dd.day_start FROM ledger_plan p JOIN daily_dirty dd ON dd.day_start >= p.days_from AND dd.day_start < p.days_to
),
exact_jobs AS (
  ${straddles('p.days_from')}
  UNION
  ${straddles('p.days_to')}
  UNION
  SELECT eb.job_id FROM ledger_plan p JOIN energy_job_total eb
    ON eb.site_key IS NULL AND eb.first_day < p.days_to AND eb.last_day >= p.days_from
  UNION
  SELECT jd.job_id FROM marked_days dd JOIN energy_job_daily jd ON jd.day_start = dd.day_start
),
exact_days AS (
  SELECT eb.job_id, eb.joules, eb.facility_joules, eb.grams, eb.gpu_ms
  FROM exact_jobs x
  -- each job's days by the (job_id, day_start) index, in a LATERAL that OFFSET 0 keeps from being
  -- flattened: joined plainly, the planner read the range's every job-day and hashed them (a year:
  -- 1.8 M rows, 2 s of a 2.7 s panel)
  CROSS JOIN LATERAL (SELECT * FROM energy_job_daily jd
    WHERE jd.job_id = x.job_id AND jd.day_start >= (SELECT days_from FROM ledger_plan) AND jd.day_start < (SELECT days_to FROM ledger_plan)
    OFFSET 0) eb
  CROSS JOIN LATERAL (SELECT NULLIF(eb.site_key, '') AS site_id) n
  CROSS JOIN LATERAL (SELECT eb.team, eb.project) j
  WHERE NOT EXISTS (SELECT 1 FROM daily_dirty dd WHERE dd.day_start = eb.day_start)
    AND ${conditions}
),
${insideJobs(conditions)}`;
}

/**
 * `inside_jobs`: the totals of the jobs whose days all lie in the range's whole days, unmarked, on one
 * site (a job inside them straddles neither edge, and one on two sites has no site_key: of the exact
 * jobs only those with a row on a marked day need leaving out). Not materialised, so a reader wanting
 * the most CO2eq walks the grams index and stops at its LIMIT, and one naming a job finds it by its
 * key. The bounds are scalar subqueries, so the planner guesses a share of the jobs, not all; with no
 * whole day, or no marked one, a one-time test skips the scan, or the look for the job's marked days.
 */
function insideJobs(conditions: string): string {
  return `inside_jobs AS NOT MATERIALIZED (
  SELECT eb.job_id, eb.joules, eb.facility_joules, eb.grams, eb.gpu_ms
  FROM energy_job_total eb
  CROSS JOIN LATERAL (SELECT NULLIF(eb.site_key, '') AS site_id) n
  CROSS JOIN LATERAL (SELECT eb.team, eb.project) j
  WHERE (SELECT days_from < days_to FROM ledger_plan)
    AND eb.first_day >= (SELECT days_from FROM ledger_plan) AND eb.last_day < (SELECT days_to FROM ledger_plan)
    AND eb.site_key IS NOT NULL
    AND (NOT EXISTS (SELECT 1 FROM marked_days)
      OR NOT EXISTS (SELECT 1 FROM marked_days md JOIN energy_job_daily jd ON jd.day_start = md.day_start AND jd.job_id = eb.job_id))
    AND ${conditions}
)`;
}

/**
 * How many `inside_jobs` there are, as an expression over jobTotalsCtes: the jobs on one site whose
 * first day lies in the whole days, summed from their daily counts (energy_job_count_daily, migration
 * 0021: a row a day, site, team and project instead of one a job; a year of 1,000 GPUs counted
 * 1.46 M totals in 0.72-0.88 s), less those of them that are not inside: the ones whose days reach
 * past the last whole day or touch a marked one, all among `exact_jobs` (the first straddle the
 * range's last edge), counted one by one. `conditions` filter a count row as they filter a total.
 */
export function insideJobCount(conditions: string): string {
  // the counts are of jobs only, never the idle one: a job id other than '' passes the filter on it
  return `(SELECT COALESCE(SUM(eb.jobs), 0)
    FROM (SELECT c.first_day, c.site_key, c.team, c.project, c.jobs, 'counted' AS job_id FROM energy_job_count_daily c) eb
    CROSS JOIN LATERAL (SELECT NULLIF(eb.site_key, '') AS site_id) n
    CROSS JOIN LATERAL (SELECT eb.team, eb.project) j
    WHERE (SELECT days_from < days_to FROM ledger_plan)
      AND eb.first_day >= (SELECT days_from FROM ledger_plan) AND eb.first_day < (SELECT days_to FROM ledger_plan)
      AND ${conditions})
  - (SELECT COUNT(*)
    FROM (SELECT DISTINCT job_id FROM exact_jobs) x
    JOIN energy_job_total eb ON eb.job_id = x.job_id
    CROSS JOIN LATERAL (SELECT NULLIF(eb.site_key, '') AS site_id) n
    CROSS JOIN LATERAL (SELECT eb.team, eb.project) j
    WHERE eb.site_key IS NOT NULL
      AND eb.first_day >= (SELECT days_from FROM ledger_plan) AND eb.first_day < (SELECT days_to FROM ledger_plan)
      AND (eb.last_day >= (SELECT days_to FROM ledger_plan)
        OR EXISTS (SELECT 1 FROM marked_days md JOIN energy_job_daily jd ON jd.day_start = md.day_start AND jd.job_id = eb.job_id))
      AND ${conditions})`;
}
