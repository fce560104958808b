import { z } from 'zod';
import { EpochMs, Identifier } from './sample.schema';
import { Signature } from './batch.schema';

export const Scheduler = z.enum(['slurm', 'kubernetes', 'wrapper', 'unknown']);
export type Scheduler = z.infer<typeof Scheduler>;

/** What the agent learns of a job from its environment; every field optional. */
export const JobMetadata = z.strictObject({
  name: z.string().max(255).optional(),
  user: z.string().max(128).optional(),
  team: z.string().max(128).optional(),
  project: z.string().max(128).optional(),
  cluster: z.string().max(128).optional(),
  scheduler: Scheduler.optional(),
  /** The scheduler's own id (Slurm job id, Kubernetes pod UID). */
  schedulerJobId: z.string().max(128).optional(),
  labels: z.record(z.string().max(128), z.string().max(1024)).optional(),
  /** The forecast this job was launched from, to check the forecast against what happened. */
  forecastId: z.string().max(128).optional(),
});
export type JobMetadata = z.infer<typeof JobMetadata>;

const eventBase = {
  /** Unique per event, so a redelivered event is applied once. */
  eventId: Identifier,
  agentId: Identifier,
  node: z.string().min(1).max(255),
  jobId: z.string().min(1).max(128),
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
