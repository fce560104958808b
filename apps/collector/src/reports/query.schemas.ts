import { z } from 'zod';
import { DAY_MS } from '@wattprint/carbon';

/** An ISO 8601 instant at the edge, epoch milliseconds inside. */
export const IsoInstant = z.iso
  .datetime({ offset: true, message: 'expected an ISO 8601 time such as 2026-11-28T10:00:00Z' })
  .transform((s) => Date.parse(s));

/** `?format=csv` (or `Accept: text/csv`) asks for CSV instead of JSON. */
export const Format = z.enum(['json', 'csv']).optional();

const Attribute = z.string().min(1).max(128);

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
  .superRefine((q, ctx) => {
    if (q.to <= q.from)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `expected a time after from (${new Date(q.from).toISOString()})`,
        input: new Date(q.to).toISOString(),
      });
    else if (q.to - q.from > MAX_USAGE_RANGE_MS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'expected a range of at most 400 days', input: new Date(q.to).toISOString() });
  });
export type UsageQuery = z.output<typeof UsageQuery>;
