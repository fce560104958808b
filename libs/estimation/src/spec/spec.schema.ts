import { z } from 'zod';
import { LayerSpec } from './layer.schema';
import { bindable, num } from './numbers';

export const PRECISIONS = ['fp32', 'tf32', 'fp16', 'bf16', 'fp8'] as const;
export const Precision = z.enum(PRECISIONS);
export type Precision = z.infer<typeof Precision>;

export const STRATEGIES = ['grid', 'random', 'successive-halving', 'hyperband', 'asha'] as const;
export const Strategy = z.enum(STRATEGIES);
export type Strategy = z.infer<typeof Strategy>;

const Shape = z.array(num('positive integer')).min(1, { error: 'expected a non-empty list of positive integers' });

/** The network, described one of four ways (see spec-format.md). */
export const ModelSpec = z
  .strictObject({
    input: Shape.optional(),
    layers: z.array(LayerSpec).min(1, { error: 'expected at least one layer' }).optional(),
    flopsPerSample: bindable('positive number').optional(),
    params: bindable('non-negative number').optional(),
    transformer: z.strictObject({ params: bindable('positive number'), tokensPerSample: bindable('positive integer') }).optional(),
    inferenceJ: num('positive number').optional(),
  })
  .superRefine((m, ctx) => {
    const given = (['layers', 'flopsPerSample', 'transformer', 'inferenceJ'] as const).filter((k) => m[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        input: given.length === 0 ? undefined : given,
        message: `expected exactly one of layers, flopsPerSample, transformer, inferenceJ`,
      });
    }
    if (m.layers !== undefined && m.input === undefined) {
      ctx.addIssue({ code: 'custom', path: ['input'], message: 'missing; expected the sample shape, e.g. [28, 28, 1], with layers' });
    }
    if (m.params !== undefined && m.flopsPerSample === undefined) {
      ctx.addIssue({ code: 'custom', path: ['params'], input: m.params, message: 'expected params only beside flopsPerSample' });
    }
  });
export type ModelSpec = z.infer<typeof ModelSpec>;

export const HardwareSpec = z.strictObject({
  profile: z.string({ error: 'expected a profile id of `wattprint hardware list`' }),
  count: num('positive integer').default(1),
  utilization: num('share in (0, 1]').optional(),
  /** An extension to spec-format.md: the arithmetic precision; defaults to the profile's. */
  precision: Precision.optional(),
});

export const TrainingSpec = z.strictObject({
  samples: bindable('positive number'),
  epochs: num('positive integer'),
  batchSize: bindable('positive integer').optional(),
  theta: num('positive number').optional(),
});

const Range = z
  .strictObject({ min: z.number(), max: z.number(), log: z.boolean().optional() })
  .refine((r) => r.max >= r.min && (!r.log || r.min > 0), {
    error: 'expected min ≤ max (and min > 0 with log)',
  });
export const SpaceEntry = z.union([z.array(z.union([z.number(), z.string(), z.boolean()])).min(1), Range], {
  error: 'expected a non-empty list of values or a { min, max, log } range',
});
export type SpaceEntry = z.infer<typeof SpaceEntry>;

export const SearchSpec = z.strictObject({
  strategy: Strategy,
  trials: num('positive integer').optional(),
  seed: z.number().int({ error: 'expected an integer seed' }).optional(),
  space: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a name of letters, digits and _' }), SpaceEntry)
    .default({}),
  maxEpochs: num('positive integer').optional(),
  minEpochs: num('positive integer').optional(),
  reductionFactor: num('number ≥ 1')
    .refine((v) => Number.isInteger(v) && v >= 2, { error: 'expected an integer ≥ 2' })
    .optional(),
  includesFinalTraining: z.boolean().optional(),
});
export type SearchSpec = z.infer<typeof SearchSpec>;

export const InferenceSpec = z.strictObject({
  count: num('non-negative number'),
  batchSize: num('positive integer').optional(),
});

export const SiteSpec = z
  .strictObject({
    pue: num('number ≥ 1').optional(),
    intensity: num('non-negative number').optional(),
    region: z.string().min(1).optional(),
  })
  .refine((s) => !(s.intensity !== undefined && s.region !== undefined), { error: 'expected either intensity or region, not both' });

/** A run spec: what is trained, where, how often it is searched and served (spec-format.md). */
export const RunSpec = z.strictObject({
  name: z.string().optional(),
  model: ModelSpec,
  hardware: HardwareSpec,
  training: TrainingSpec.optional(),
  search: SearchSpec.optional(),
  inference: InferenceSpec.optional(),
  site: SiteSpec.optional(),
  start: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z' }).optional(),
});
export type RunSpec = z.infer<typeof RunSpec>;
export type RunSpecInput = z.input<typeof RunSpec>;
