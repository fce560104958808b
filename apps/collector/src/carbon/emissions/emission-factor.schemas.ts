import { z } from 'zod';
import { IsoTime } from '../common/carbon.schemas';
import { NodeName } from '../sites/site.schemas';
import { DAY_MS } from '@wattprint/carbon';

/** At most 31 days of hours per request: 744 factors. */
export const MAX_FACTOR_RANGE_MS = 31 * DAY_MS;

export const EmissionFactorQuery = z.strictObject({ node: NodeName, from: IsoTime, to: IsoTime }).superRefine((q, ctx) => {
  if (q.to <= q.from)
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: `expected a time after from (${new Date(q.from).toISOString()})`,
      input: new Date(q.to).toISOString(),
    });
  else if (q.to - q.from > MAX_FACTOR_RANGE_MS)
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: 'expected a range of at most 31 days after from',
      input: new Date(q.to).toISOString(),
    });
});
export type EmissionFactorQuery = z.output<typeof EmissionFactorQuery>;

export const HourFactorResponse = z.object({
  hourStart: z.string(),
  siteId: z.string().nullable(),
  region: z.string().nullable(),
  pue: z.number(),
  gPerKwh: z.number(),
  estimated: z.boolean(),
  source: z.string(),
});
export const EmissionFactorsResponse = z.object({ node: z.string(), hours: z.array(HourFactorResponse) });
export type EmissionFactorsResponse = z.infer<typeof EmissionFactorsResponse>;
