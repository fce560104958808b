import { z } from 'zod';
import { timeRangeCheck } from '../../common/time-range';
import { IsoTime } from '../common/carbon.schemas';
import { NodeName } from '../sites/site.schemas';
import { DAY_MS } from '@wattprint/carbon';

/** At most 31 days of hours per request: 744 factors. */
export const MAX_FACTOR_RANGE_MS = 31 * DAY_MS;

export const EmissionFactorQuery = z
  .strictObject({ node: NodeName, from: IsoTime, to: IsoTime })
  .superRefine(timeRangeCheck(MAX_FACTOR_RANGE_MS, '31 days'));
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
