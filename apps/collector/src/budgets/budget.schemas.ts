import { Identifier, printableText } from '@wattprint/protocol';
import { z } from 'zod';
import { IsoInstant } from '../reports/query.schemas';

/** The largest amount a budget may hold: far beyond any cluster, small enough that sums stay exact. */
export const MAX_BUDGET_AMOUNT = 1e12;

const Thresholds = z
  .array(
    z
      .number({ error: 'expected a number' })
      .gt(0, 'expected a fraction of the amount above 0, e.g. 0.8')
      .max(10, 'expected a fraction of the amount of at most 10 (1000 %)'),
  )
  .min(1, 'expected at least one threshold')
  .max(10, 'expected at most 10 thresholds')
  .refine((t) => t.every((x, i) => i === 0 || x > t[i - 1]), 'expected thresholds in ascending order without repeats');

/** POST and PUT /api/v1/budgets. */
export const BudgetBody = z
  .strictObject({
    name: printableText(1, 200),
    team: printableText(1, 128),
    project: printableText(1, 128).optional(),
    unit: z.enum(['kWh', 'kgCO2eq'], { error: 'expected kWh (facility energy) or kgCO2eq' }),
    amount: z
      .number({ error: 'expected a number' })
      .gt(0, 'expected an amount above 0')
      .max(MAX_BUDGET_AMOUNT, `expected an amount of at most ${MAX_BUDGET_AMOUNT}`),
    period: z.enum(['month', 'quarter', 'custom'], { error: 'expected month, quarter or custom' }),
    from: IsoInstant.optional(),
    to: IsoInstant.optional(),
    thresholds: Thresholds.default([0.8, 1]),
  })
  .superRefine((b, ctx) => {
    if (b.period === 'custom') {
      if (b.from === undefined)
        ctx.addIssue({ code: 'custom', path: ['from'], message: 'expected the start of a custom period (ISO 8601)' });
      if (b.to === undefined) ctx.addIssue({ code: 'custom', path: ['to'], message: 'expected the end of a custom period (ISO 8601)' });
      if (typeof b.from === 'number' && typeof b.to === 'number' && b.to <= b.from) {
        ctx.addIssue({
          code: 'custom',
          path: ['to'],
          message: `expected a time after from (${new Date(b.from).toISOString()})`,
          input: new Date(b.to).toISOString(),
        });
      }
    } else {
      for (const key of ['from', 'to'] as const) {
        if (b[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `expected no ${key} unless period is custom` });
      }
    }
  });
export type BudgetBody = z.output<typeof BudgetBody>;

export const BudgetIdParam = Identifier;

const Figures = z.object({
  periodStart: z.string(),
  periodEnd: z.string(),
  amount: z.number(),
  spent: z.number(),
  remaining: z.number(),
  spentRatio: z.number(),
  burnRatePerDay: z.number(),
  projected: z.number(),
  projectedRatio: z.number(),
  runningForecastRemaining: z.number(),
  thresholdsCrossed: z.array(z.number()),
});

export const BudgetViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  team: z.string(),
  project: z.string().nullable(),
  unit: z.enum(['kWh', 'kgCO2eq']),
  amount: z.number(),
  period: z.enum(['month', 'quarter', 'custom']),
  from: z.string().nullable(),
  to: z.string().nullable(),
  thresholds: z.array(z.number()),
  createdAt: z.string(),
  updatedAt: z.string(),
  status: Figures.optional(),
});
export type BudgetStatus = z.infer<typeof Figures>;
export type BudgetView = z.infer<typeof BudgetViewSchema>;

/** POST /api/v1/admission: a run spec and the team (and project) it would be booked to. */
export const AdmissionBody = z.strictObject({
  team: printableText(1, 128),
  project: printableText(1, 128).optional(),
  spec: z.record(z.string(), z.unknown(), { error: 'expected a run spec object (docs/spec-format.md)' }),
});
export type AdmissionBody = z.output<typeof AdmissionBody>;
