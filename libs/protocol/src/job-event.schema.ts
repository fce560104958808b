import { z } from 'zod';
import { EpochMs, Identifier, NodeName, printableText } from './sample.schema';
import { Signature } from './batch.schema';

export const Scheduler = z.enum(['slurm', 'kubernetes', 'wrapper', 'unknown']);
export type Scheduler = z.infer<typeof Scheduler>;

/** The longest job id and metadata values the messages carry (the agent clips longer ones). */
export const JOB_FIELD_MAX = { jobId: 128, name: 255, user: 128, team: 128, project: 128, cluster: 128, forecastId: 128 } as const;

/** What the agent learns of a job from its environment; every field optional. */
export const JobMetadata = z.strictObject({
  name: printableText(0, JOB_FIELD_MAX.name).optional(),
  user: printableText(0, JOB_FIELD_MAX.user).optional(),
  team: printableText(0, JOB_FIELD_MAX.team).optional(),
  project: printableText(0, JOB_FIELD_MAX.project).optional(),
  cluster: printableText(0, JOB_FIELD_MAX.cluster).optional(),
  scheduler: Scheduler.optional(),
  /** The scheduler's own id (Slurm job id, Kubernetes pod UID). */
  schedulerJobId: printableText(0, 128).optional(),
  labels: z.record(printableText(1, 128), printableText(0, 1024)).optional(),
  /** The forecast this job was launched from, to check the forecast against what happened. */
  forecastId: printableText(0, JOB_FIELD_MAX.forecastId).optional(),
});
export type JobMetadata = z.infer<typeof JobMetadata>;

const eventBase = {
  /** Unique per event, so a redelivered event is applied once. */
  eventId: Identifier,
  agentId: Identifier,
  node: NodeName,
  jobId: printableText(1, JOB_FIELD_MAX.jobId),
  at: EpochMs,
};

export const JobStartEvent = z.strictObject({ ...eventBase, type: z.literal('start'), metadata: JobMetadata });
export const JobEndEvent = z.strictObject({
  ...eventBase,
  type: z.literal('end'),
  exitCode: z.number().int().nullable().optional(),
});
export const JobMetadataEvent = z.strictObject({ ...eventBase, type: z.literal('metadata'), metadata: JobMetadata });

export const UnsignedJobEvent = z.discriminatedUnion('type', [JobStartEvent, JobEndEvent, JobMetadataEvent]);
export type UnsignedJobEvent = z.infer<typeof UnsignedJobEvent>;

export const JobEvent = z.discriminatedUnion('type', [
  JobStartEvent.extend({ signature: Signature }),
  JobEndEvent.extend({ signature: Signature }),
  JobMetadataEvent.extend({ signature: Signature }),
]);
export type JobEvent = z.infer<typeof JobEvent>;
