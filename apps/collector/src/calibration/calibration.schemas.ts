import { z } from 'zod';
import { timeRangeCheck } from '../common/time-range';
import { IsoInstant } from '../reports/query.schemas';

/** `GET /api/v1/forecasts/accuracy`: groupBy, and the jobs' end in [from, to). */
export const AccuracyQuery = z
  .strictObject({
    groupBy: z.enum(['profile', 'team']).default('profile'),
    from: IsoInstant.optional(),
    to: IsoInstant.optional(),
  })
  .superRefine(timeRangeCheck());
export type AccuracyQuery = z.output<typeof AccuracyQuery>;

const Summary = {
  count: z.number().int(),
  mape: z.number().nullable().describe('mean |forecast p50 − measured| / measured; null with no jobs'),
  coverage: z.number().nullable().describe('share of jobs whose measured energy lies within the forecast p10–p90'),
};

export const AccuracySchema = z.object({
  groupBy: z.enum(['profile', 'team']),
  from: z.string().nullable(),
  to: z.string().nullable(),
  overall: z.object(Summary),
  groups: z.array(z.object({ key: z.string().nullable(), ...Summary })),
});

const FitView = z.object({
  profile: z.string(),
  observations: z.number().int(),
  withDuration: z.number().int(),
  mape: z.number(),
  coverage: z.number(),
  coefficients: z.object({
    alpha: z.number(),
    beta: z.number(),
    gamma: z.number(),
    precision: z.string(),
    theta: z.number(),
    thetaFitted: z.boolean(),
  }),
  scale: z.object({ alpha: z.number(), beta: z.number(), gamma: z.number() }),
  durationScale: z.number(),
  idleScale: z.number(),
  spread: z.object({ p10: z.number(), p90: z.number() }),
  fittedAt: z.string(),
});

export const CalibrationSchema = z.object({
  profiles: z.array(FitView),
  calibration: z.record(z.string(), z.unknown()).describe('the same fits as a calibration file (docs/spec-format.md)'),
});

export const RefitSchema = z.object({
  fittedAt: z.string(),
  jobs: z.number().int(),
  observations: z.number().int(),
  skipped: z.object({ energyMissing: z.number().int(), nothingMeasured: z.number().int(), unusableSpec: z.number().int() }),
  profiles: z.array(z.string()),
});
