import { printableText } from '@wattprint/protocol';
import { z } from 'zod';
import { DAY_MS } from '@wattprint/carbon';
import { timeRangeCheck } from '../common/time-range';

/** An ISO 8601 instant at the edge, epoch milliseconds inside. */
export const IsoInstant = z.iso
  .datetime({ offset: true, message: 'expected an ISO 8601 time such as 2026-11-28T10:00:00Z' })
  .transform((s) => Date.parse(s));

/** `?format=csv` (or `Accept: text/csv`) asks for CSV instead of JSON. */
export const Format = z.enum(['json', 'csv']).optional();

const Attribute = printableText(1, 128);

/** Filters that select jobs by who ran them and where; shared by the jobs list and usage. */
export const JobAttributeFilters = {
  user: Attribute.optional(),
  team: Attribute.optional(),
  project: Attribute.optional(),
  cluster: Attribute.optional(),
};

export const UsageGroupBy = z.enum(['team', 'user', 'project', 'cluster', 'node', 'site']);
export type UsageGroupBy = z.infer<typeof UsageGroupBy>;

/** The longest usage range one request may ask for, so one call cannot scan years of buckets. */
export const MAX_USAGE_RANGE_MS = 400 * DAY_MS;

export const UsageQuery = z
  .strictObject({
    groupBy: UsageGroupBy,
    from: IsoInstant,
    to: IsoInstant,
    bucket: z.enum(['hour', 'day']).default('day'),
    ...JobAttributeFilters,
    format: Format,
  })
  .superRefine(timeRangeCheck(MAX_USAGE_RANGE_MS, '400 days'));
export type UsageQuery = z.output<typeof UsageQuery>;
