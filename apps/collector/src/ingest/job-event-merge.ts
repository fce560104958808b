import type { JobsTable } from '@wattprint/db';
import type { JobEvent, JobMetadata } from '@wattprint/protocol';

/** The columns of a job that events change: all but its id. */
export type JobFields = Omit<JobsTable, 'id'>;

/** Labels with sorted keys, so the stored text does not depend on the order events arrived in. */
function labelsJson(labels: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

function mergeMetadata(job: JobFields, metadata: JobMetadata): JobFields {
  const labels =
    metadata.labels === undefined
      ? job.labels
      : labelsJson({ ...(job.labels ? (JSON.parse(job.labels) as Record<string, string>) : {}), ...metadata.labels });
  return {
    ...job,
    name: metadata.name ?? job.name,
    user: metadata.user ?? job.user,
    team: metadata.team ?? job.team,
    project: metadata.project ?? job.project,
    cluster: metadata.cluster ?? job.cluster,
    scheduler: metadata.scheduler ?? job.scheduler,
    scheduler_job_id: metadata.schedulerJobId ?? job.scheduler_job_id,
    forecast_id: metadata.forecastId ?? job.forecast_id,
    labels,
  };
}

/**
 * A job after one event. Events of a job may arrive in any order (an end before its start, either
 * before or after the job's samples), so each one only moves the job forward: an ended job stays
 * ended, metadata merges field by field, and the seen times only widen.
 */
export function applyJobEvent(job: JobFields, event: JobEvent): JobFields {
  const seen = { first_seen_at: Math.min(job.first_seen_at, event.at), last_seen_at: Math.max(job.last_seen_at, event.at) };
  switch (event.type) {
    case 'start':
      return {
        ...mergeMetadata(job, event.metadata),
        ...seen,
        started_at: event.at,
        state: job.state === 'ended' ? 'ended' : 'running',
        inferred: 0,
      };
    case 'end':
      return { ...job, ...seen, ended_at: event.at, state: 'ended', exit_code: event.exitCode ?? job.exit_code };
    case 'metadata':
      return { ...mergeMetadata(job, event.metadata), ...seen };
  }
}

/** The row an event creates when its job has not been seen yet. */
export function newJobFromEvent(event: JobEvent): JobFields {
  return {
    state: event.type === 'end' ? 'ended' : 'running',
    inferred: 1,
    name: null,
    user: null,
    team: null,
    project: null,
    cluster: null,
    scheduler: null,
    scheduler_job_id: null,
    labels: null,
    forecast_id: null,
    started_at: null,
    ended_at: null,
    exit_code: null,
    first_seen_at: event.at,
    last_seen_at: event.at,
  };
}
