/**
 * The body of `POST /api/v1/job-events`, as the collector's contract states it. Kept here rather than
 * imported from libs/protocol so a hook loads no schema library: it runs in every job's start-up path.
 * The field limits are the protocol's (a spec checks they still agree).
 */
export type JobEventType = 'start' | 'end' | 'metadata';

export interface EventMetadata {
  name?: string;
  user?: string;
  team?: string;
  project?: string;
  cluster?: string;
  scheduler?: 'slurm';
  schedulerJobId?: string;
  forecastId?: string;
  labels?: Record<string, string>;
}

export interface JobEventBody {
  /** 1-128 of [A-Za-z0-9._:@-]; the collector applies an id once. */
  eventId: string;
  type: JobEventType;
  /** What the agent books energy to: SLURM_JOB_ID. */
  jobId: string;
  /** Epoch milliseconds. */
  at: number;
  metadata?: EventMetadata;
  nodes?: string[];
  exitCode?: number | null;
  exitState?: string;
}

/** libs/protocol's JOB_FIELD_MAX and label limits. */
export const FIELD_MAX = { jobId: 128, name: 255, user: 128, team: 128, project: 128, cluster: 128, schedulerJobId: 128 } as const;
export const LABEL_KEY_MAX = 128;
export const LABEL_VALUE_MAX = 1024;
export const EVENT_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Text the collector takes: control characters (a tab or newline in a job name; Slurm allows them, the
 * ledger does not) become U+FFFD, then at most `max` UTF-16 units. A job name is worth keeping whole
 * rather than having its start event refused.
 */
export function printable(value: string, max: number): string {
  return clip(value.replace(CONTROL, '\ufffd'), max);
}

/** At most `max` UTF-16 units, never cutting a surrogate pair in two. */
export function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = value.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
