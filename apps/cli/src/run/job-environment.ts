/**
 * What `wattprint run` tells of the job it launches. The node's agent reads these variables from
 * `/proc/<pid>/environ` of every process that holds a GPU (apps/agent/src/attribution/job-identity.ts),
 * so the contract between the two is these names and nothing else.
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

/** The protocol's limits (libs/protocol job-event.schema.ts): longer values would be clipped by the agent. */
const LIMITS = { jobId: 128, name: 255, user: 128, team: 128, project: 128, cluster: 128, forecastId: 128 } as const;

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
  const host = hostname.split('.')[0].replace(/[^A-Za-z0-9-]/g, '-').slice(0, 40) || 'host';
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(random() * 0x1_0000_0000).toString(16).padStart(8, '0');
  return `run-${host}-${stamp}-${suffix}`;
}

/** Every bad field, each with its flag, its value and what was expected; empty when all are good. */
export function runJobProblems(job: RunJob): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(FLAG) as Array<keyof RunJob>) {
    const value = job[key];
    if (value === undefined) continue;
    if (value.length === 0 || value.length > LIMITS[key]) problems.push(`${FLAG[key]}: got ${JSON.stringify(value)}; expected 1 to ${LIMITS[key]} characters`);
    else if (key === 'jobId' && !JOB_ID.test(value)) problems.push(`${FLAG[key]}: got ${JSON.stringify(value)}; expected letters, digits and . _ : @ - (starting with a letter or digit)`);
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
  env.WATTPRINT_JOB_ID = job.jobId;
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined) env[name] = value;
  };
  set('WATTPRINT_JOB_NAME', job.name);
  set('WATTPRINT_USER', job.user);
  set('WATTPRINT_TEAM', job.team);
  set('WATTPRINT_PROJECT', job.project);
  set('WATTPRINT_CLUSTER', job.cluster);
  set('WATTPRINT_FORECAST_ID', job.forecastId);
  return env;
}
