import { JOB_ENV, JOB_FIELD_MAX } from '@wattprint/protocol';

/**
 * What `wattprint run` tells of the job it launches, through the variables of JOB_ENV that the node's
 * agent reads from `/proc/<pid>/environ` of every process that holds a GPU.
 */
export interface RunJob {
  jobId: string;
  name?: string;
  user?: string;
  team?: string;
  project?: string;
  cluster?: string;
  forecastId?: string;
}

// A job id travels in URLs (/api/v1/jobs/:id) and shell scripts: keep it to characters that need no quoting.
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]*$/;

const FLAG: Record<keyof RunJob, string> = {
  jobId: '--job-id',
  name: '--name',
  user: '--user',
  team: '--team',
  project: '--project',
  cluster: '--cluster',
  forecastId: '--forecast-id',
};

/** A job id unique enough for one cluster: node, start second and 32 random bits, e.g. `run-gpu07-20261201T203154Z-3fa29c1e`. */
export function newJobId(hostname: string, now: Date, random: () => number): string {
  const host =
    hostname
      .split('.')[0]
      .replace(/[^A-Za-z0-9-]/g, '-')
      .slice(0, 40) || 'host';
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(random() * 0x1_0000_0000)
    .toString(16)
    .padStart(8, '0');
  return `run-${host}-${stamp}-${suffix}`;
}

/** Every bad field, each with its flag, its value and what was expected; empty when all are good. */
export function runJobProblems(job: RunJob): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(FLAG) as Array<keyof RunJob>) {
    const value = job[key];
    if (value === undefined) continue;
    if (value.length === 0 || value.length > JOB_FIELD_MAX[key])
      problems.push(`${FLAG[key]}: got ${JSON.stringify(value)}; expected 1 to ${JOB_FIELD_MAX[key]} characters`);
    else if (key === 'jobId' && !JOB_ID.test(value))
      problems.push(`${FLAG[key]}: got ${JSON.stringify(value)}; expected letters, digits and . _ : @ - (starting with a letter or digit)`);
  }
  return problems;
}

/**
 * The child's environment: the caller's, with the job's variables set. A variable the person did not
 * give is left as inherited, so `wattprint run` inside a Slurm job still carries SLURM_JOB_USER and
 * SLURM_JOB_ACCOUNT to the agent, which falls back to them.
 */
export function jobEnvironment(job: RunJob, inherited: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(inherited)) if (v !== undefined) env[k] = v;
  for (const key of Object.keys(JOB_ENV) as Array<keyof RunJob>) {
    const value = job[key];
    if (value !== undefined) env[JOB_ENV[key]] = value;
  }
  return env;
}
