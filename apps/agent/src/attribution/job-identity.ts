import { JOB_ENV, JOB_FIELD_MAX, type JobMetadata, SEARCH_ENV, SEARCH_LABELS } from '@wattprint/protocol';

/** The job a process belongs to, as told by its environment and its cgroup. */
export interface JobIdentity {
  jobId: string;
  metadata: JobMetadata;
}

const SLURM_CGROUP = /\/job_(\d+)(?:\/|$|\.)/;
// cgroup v1 writes pod<uid> with dashes, the systemd driver of cgroup v2 with underscores.
const K8S_POD = /kubepods.*?pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/;

/** Splits `/proc/<pid>/environ` (NUL-separated `NAME=value`). */
export function parseEnviron(raw: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of raw.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

export function slurmJobFromCgroup(cgroup: string): string | null {
  for (const line of cgroup.split('\n')) {
    const m = SLURM_CGROUP.exec(line);
    if (m) return m[1];
  }
  return null;
}

export function kubernetesPodFromCgroup(cgroup: string): string | null {
  for (const line of cgroup.split('\n')) {
    const m = K8S_POD.exec(line);
    if (m) return m[1].replace(/_/g, '-');
  }
  return null;
}

const clip = (value: string | undefined, max: number): string | undefined => (value ? value.slice(0, max) : undefined);

function defined(md: JobMetadata): JobMetadata {
  return Object.fromEntries(Object.entries(md).filter(([, v]) => v !== undefined)) as JobMetadata;
}

/** What two processes of one job tell of it together: the first value seen of each field stands. */
export function mergeMetadata(a: JobMetadata, b: JobMetadata): JobMetadata {
  return { ...defined(b), ...defined(a) };
}

function metadataFrom(env: Record<string, string>, base: JobMetadata): JobMetadata {
  const labels: Record<string, string> = {};
  if (env.SLURM_JOB_PARTITION) labels['slurm.partition'] = env.SLURM_JOB_PARTITION.slice(0, 1024);
  // a trial of a hyperparameter search (wattprint run --search, or the scheduler's job script)
  if (env[SEARCH_ENV.searchId]) {
    labels[SEARCH_LABELS.searchId] = env[SEARCH_ENV.searchId].slice(0, 128);
    if (env[SEARCH_ENV.trial]) labels[SEARCH_LABELS.trial] = env[SEARCH_ENV.trial].slice(0, 32);
  }
  const fromEnv: JobMetadata = {
    name: clip(env[JOB_ENV.name] ?? env.SLURM_JOB_NAME, JOB_FIELD_MAX.name),
    user: clip(env[JOB_ENV.user] ?? env.SLURM_JOB_USER ?? env.USER, JOB_FIELD_MAX.user),
    team: clip(env[JOB_ENV.team] ?? env.SLURM_JOB_ACCOUNT, JOB_FIELD_MAX.team),
    project: clip(env[JOB_ENV.project], JOB_FIELD_MAX.project),
    cluster: clip(env[JOB_ENV.cluster] ?? env.SLURM_CLUSTER_NAME, JOB_FIELD_MAX.cluster),
    forecastId: clip(env[JOB_ENV.forecastId], JOB_FIELD_MAX.forecastId),
    labels: Object.keys(labels).length > 0 ? labels : undefined,
  };
  return { ...base, ...defined(fromEnv) };
}

/**
 * Which job a process runs for: `WATTPRINT_JOB_ID` (set by `wattprint run`), then `SLURM_JOB_ID`, then a
 * Slurm `job_<id>` cgroup, then a Kubernetes pod UID from the cgroup. Null for a process of no job.
 * Either input may be null when /proc did not let us read it.
 */
export function jobOfProcess(environ: Record<string, string> | null, cgroup: string | null): JobIdentity | null {
  const env = environ ?? {};
  const wrapped = env[JOB_ENV.jobId];
  if (wrapped) {
    return {
      jobId: wrapped.slice(0, JOB_FIELD_MAX.jobId),
      metadata: metadataFrom(env, { scheduler: env.SLURM_JOB_ID ? 'slurm' : 'wrapper', schedulerJobId: clip(env.SLURM_JOB_ID, 128) }),
    };
  }
  const slurm = env.SLURM_JOB_ID ?? (cgroup ? slurmJobFromCgroup(cgroup) : null);
  if (slurm)
    return { jobId: slurm.slice(0, 128), metadata: metadataFrom(env, { scheduler: 'slurm', schedulerJobId: slurm.slice(0, 128) }) };
  const pod = cgroup ? kubernetesPodFromCgroup(cgroup) : null;
  if (pod) {
    const name = env.HOSTNAME && env.KUBERNETES_SERVICE_HOST ? { name: env.HOSTNAME } : {};
    return { jobId: pod, metadata: metadataFrom(env, { scheduler: 'kubernetes', schedulerJobId: pod, ...name }) };
  }
  return null;
}
