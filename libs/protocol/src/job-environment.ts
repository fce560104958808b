/**
 * The environment variables that tell a node's agent which job a process runs for: `wattprint run` sets
 * them on the command it launches, and the agent reads them from `/proc/<pid>/environ` of every process
 * that holds a GPU. Beside them the agent falls back to Slurm's own variables and to cgroups.
 */
export const JOB_ENV = {
  jobId: 'WATTPRINT_JOB_ID',
  name: 'WATTPRINT_JOB_NAME',
  user: 'WATTPRINT_USER',
  team: 'WATTPRINT_TEAM',
  project: 'WATTPRINT_PROJECT',
  cluster: 'WATTPRINT_CLUSTER',
  forecastId: 'WATTPRINT_FORECAST_ID',
} as const;

/**
 * A job that is one trial of a hyperparameter search: `wattprint run --search ID --trial N` sets these
 * (a scheduler's job script may set them itself), and the agent turns them into the job labels of
 * SEARCH_LABELS, by which the collector groups a search's trials.
 */
export const SEARCH_ENV = { searchId: 'WATTPRINT_SEARCH_ID', trial: 'WATTPRINT_SEARCH_TRIAL' } as const;

/** The job labels a search trial carries: the search's id and the trial's number (text). */
export const SEARCH_LABELS = { searchId: 'wattprint.search', trial: 'wattprint.trial' } as const;
