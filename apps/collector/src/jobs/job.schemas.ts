import { JobId, printableText } from '@wattprint/protocol';
import { z } from 'zod';
import { timeRangeCheck } from '../common/time-range';
import { Format, IsoInstant, JobAttributeFilters } from '../reports/query.schemas';

/** The :id of /jobs/:id: a job id as agents and schedulers send them. */
export const JobIdParam = JobId;

export const ListJobsQuery = z
  .strictObject({
    ...JobAttributeFilters,
    state: z.enum(['running', 'ended', 'unknown']).optional(),
    /** Jobs whose span overlaps [from, to). */
    from: IsoInstant.optional(),
    to: IsoInstant.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: printableText(1, 512).optional(),
    format: Format,
  })
  .superRefine(timeRangeCheck());
export type ListJobsQuery = z.output<typeof ListJobsQuery>;

const Quantiles = z.object({ p10: z.number(), p50: z.number(), p90: z.number() });

export const JobSummarySchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  user: z.string().nullable(),
  team: z.string().nullable(),
  project: z.string().nullable(),
  cluster: z.string().nullable(),
  state: z.enum(['running', 'ended', 'unknown']),
  inferred: z.boolean(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  forecastId: z.string().nullable(),
  energyKWh: z.number(),
  facilityEnergyKWh: z.number(),
  co2eqKg: z.number(),
  gpuHours: z.number(),
  estimated: z.boolean().describe('true when any hour used a fallback intensity or site'),
});

export const JobListSchema = z.object({
  jobs: z.array(JobSummarySchema),
  nextCursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last page'),
});

const EnergyFigures = {
  energyKWh: z.number(),
  facilityEnergyKWh: z.number(),
  co2eqKg: z.number(),
  gpuHours: z.number(),
};

export const JobDetailSchema = z.object({
  job: JobSummarySchema.omit({ energyKWh: true, facilityEnergyKWh: true, co2eqKg: true, gpuHours: true, estimated: true }).extend({
    scheduler: z.string().nullable(),
    schedulerJobId: z.string().nullable(),
    labels: z.record(z.string(), z.string()),
    exitCode: z.number().nullable(),
    exitState: z.string().nullable().describe('How the scheduler says the job ended: COMPLETED, FAILED, CANCELLED, TIMEOUT…'),
    allocatedNodes: z.array(z.string()).nullable().describe('The nodes the scheduler gave the job, when it said'),
    fieldSources: z
      .record(z.string(), z.enum(['scheduler', 'agent']))
      .describe('Who set each field (metadata, labels.<key>, started_at, ended_at, exit_code): a scheduler outranks an agent'),
  }),
  energy: z.object({ ...EnergyFigures, samples: z.number(), estimatedHours: z.array(z.string()) }),
  nodes: z.array(
    z.object({
      node: z.string(),
      ...EnergyFigures,
      devices: z.array(
        z.object({ device: z.string(), kind: z.enum(['gpu', 'cpu', 'dram']), ...EnergyFigures, peakPowerW: z.number().nullable() }),
      ),
    }),
  ),
  timeline: z.array(z.object({ minute: z.string(), energyKWh: z.number(), meanPowerW: z.number(), samples: z.number() })),
  gaps: z.object({
    energyMissing: z.boolean(),
    items: z.array(
      z.object({
        node: z.string(),
        agentId: z.string(),
        bootId: z.string(),
        fromSeq: z.number(),
        toSeq: z.number(),
        missingSamples: z.number(),
        from: z.string(),
        to: z.string(),
      }),
    ),
  }),
  forecast: z
    .object({
      id: z.string(),
      found: z.boolean(),
      createdAt: z.string().nullable(),
      energyKWh: Quantiles.nullable(),
      measuredOverForecastP50: z.number().nullable(),
      withinP10P90: z.boolean().nullable(),
    })
    .nullable(),
});
