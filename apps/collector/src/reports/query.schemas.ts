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

/**
 * The longest range one request may ask by the hour: a week, as the dashboards step by the hour up
 * to a week. An answer is a row per group and period, and its time is its rows': at 1,000 GPUs, 200
 * users by the hour took 0.29-0.31 s over a week, 0.57-0.65 s over two and 1.28-1.49 s (31 MB of
 * JSON) over 31 days (docs/scale.md); by the day, or in several requests, the same hours come back whole.
 */
export const MAX_HOURLY_USAGE_RANGE_MS = 7 * DAY_MS;

export const UsageQuery = z
  .strictObject({
    groupBy: UsageGroupBy,
    from: IsoInstant,
    to: IsoInstant,
    bucket: z.enum(['hour', 'day']).default('day'),
    ...JobAttributeFilters,
    format: Format,
  })
  .superRefine(timeRangeCheck(MAX_USAGE_RANGE_MS, '400 days'))
  .superRefine((q, ctx) => {
    if (q.bucket !== 'hour' || typeof q.from !== 'number' || typeof q.to !== 'number') return;
    if (q.to - q.from <= MAX_HOURLY_USAGE_RANGE_MS) return;
    ctx.addIssue({
      code: 'custom',
      path: ['bucket'],
      message: `expected day: by the hour a request covers ${MAX_HOURLY_USAGE_RANGE_MS / DAY_MS} days at most, and ${new Date(q.from).toISOString()} to ${new Date(q.to).toISOString()} is longer; ask by the day, or in several requests`,
      input: q.bucket,
    });
  });
export type UsageQuery = z.output<typeof UsageQuery>;
