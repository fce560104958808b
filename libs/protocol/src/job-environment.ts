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
