import { EpochMs, Identifier, JobId, JobMetadata, NodeName } from '@wattprint/protocol';
import { z } from 'zod';

/** An instant as epoch milliseconds or ISO 8601 with an offset (`2026-12-06T10:00:00.123Z`). */
const Instant = z.union([EpochMs, z.iso.datetime({ offset: true }).transform((text) => Date.parse(text))]);

/**
 * POST /api/v1/job-events: what a scheduler (a Slurm prolog or epilog, a workflow engine) says of a
 * job. `eventId` is the idempotency key: an event sent again is applied once.
 */
export const JobEventBody = z
  .strictObject({
    eventId: Identifier,
    type: z.enum(['start', 'end', 'metadata']),
    jobId: JobId,
    at: Instant,
    metadata: JobMetadata.optional(),
    nodes: z.array(NodeName).max(100_000).optional(),
    exitCode: z.number().int().min(-2_147_483_648).max(2_147_483_647).nullable().optional(),
    exitState: z
      .string()
      .regex(/^[A-Z][A-Z_]{0,31}$/, 'expected the scheduler’s state in capitals, e.g. COMPLETED, FAILED, CANCELLED, TIMEOUT')
      .optional(),
  })
  .superRefine((body, ctx) => {
    if (body.type === 'end' && body.metadata !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['metadata'], message: 'expected no metadata on an end event (send a metadata event)' });
    }
    if (body.type !== 'end') {
      for (const field of ['exitCode', 'exitState'] as const) {
        if (body[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `expected ${field} only on an end event` });
      }
    }
  });
export type JobEventBody = z.output<typeof JobEventBody>;

export const JobEventAnswerSchema = z.object({
  applied: z.boolean().describe('false when an event with this eventId was applied before'),
});
