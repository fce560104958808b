import { FIGURES, energyWith, jobAttr } from './energy.sql';
import type { YearlyAverages } from './yearly-averages';

export interface TopJobsScope {
  /** Conditions on the ledger rows (eb) and their node (n), e.g. the site variable. */
  rowFilters: readonly string[];
  /** Conditions on the job (j), e.g. the team and project variables: a job's rows all pass or all fail them. */
  jobFilters: readonly string[];
}

/**
 * The 20 jobs with the most CO2eq inside the range: their IT and facility energy, CO2eq and
 * GPU-hours, with name, user, team and project. Each job's energy is priced by (site, hour) and
 * summed first, with no job looked up (PostgreSQL drops the unused join); the jobs table is read
 * once a job, not once an hourly row (with no job filter, only for the 20), and its filters apply
 * there, which is the same since they depend on the job alone. A month of 1,000 GPUs is 720,000
 * hourly rows but 120,000 jobs.
 */
export function topJobsSql(scope: TopJobsScope, yearly: YearlyAverages): string {
  const energy = energyWith(
    { dimensions: [{ expr: 'eb.job_id', alias: 'job_id' }], filters: [`eb.job_id <> ''`, ...scope.rowFilters] },
    yearly,
  );
  // with no job filter the 20 are known before any job is looked up: 20 lookups instead of one a job
  const filtered = scope.jobFilters.length > 0;
  const order = 'ORDER BY "CO2eq" DESC, job_id LIMIT 20';
  return `${energy},
per_job AS (
  SELECT job_id, ${FIGURES.itKWh} AS "IT energy", ${FIGURES.facilityKWh} AS "Facility energy", ${FIGURES.co2eqKg} AS "CO2eq",
    ${FIGURES.gpuHours} AS "GPU-hours"
  FROM energy GROUP BY job_id${filtered ? '' : `\n  ${order}`}
)
SELECT pj.job_id AS "Job", ${jobAttr('name')} AS "Name", ${jobAttr('user')} AS "User", ${jobAttr('team')} AS "Team",
  ${jobAttr('project')} AS "Project", pj."IT energy", pj."Facility energy", pj."CO2eq", pj."GPU-hours"
FROM per_job pj
LEFT JOIN jobs j ON j.id = pj.job_id${filtered ? `\nWHERE ${scope.jobFilters.join('\n  AND ')}` : ''}
ORDER BY pj."CO2eq" DESC, pj.job_id LIMIT 20`;
}
