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

/**
 * A large transformer by its size: training costs 6·N FLOPs per token (N the parameters a token passes
 * through: all of them, or `activeParams` for a mixture of experts), plus the attention over the
 * context when its shape is given.
 */
export const TransformerSpec = z
  .strictObject({
    params: bindable('positive number'),
    /** Parameters active per token (mixture of experts); all of them when absent. */
    activeParams: num('positive number').optional(),
    /** Tokens of one inference; needed only to price inference.count. */
    tokensPerSample: bindable('positive integer').optional(),
    layers: num('positive integer').optional(),
    dModel: num('positive integer').optional(),
    /** Tokens of context each token attends over in training (the sequence length). */
    context: num('positive integer').optional(),
  })
  .superRefine((t, ctx) => {
    const shape = (['layers', 'dModel', 'context'] as const).filter((k) => t[k] !== undefined);
    if (shape.length > 0 && shape.length < 3) {
      const missing = (['layers', 'dModel', 'context'] as const).filter((k) => t[k] === undefined);
      ctx.addIssue({
        code: 'custom',
        path: [missing[0]],
        message: `missing; expected layers, dModel and context together (attention FLOPs need all three), or none of them`,
      });
    }
    if (t.activeParams !== undefined && typeof t.params === 'number' && t.activeParams > t.params) {
      ctx.addIssue({ code: 'custom', path: ['activeParams'], input: t.activeParams, message: `expected at most params (${t.params})` });
    }
  });
export type TransformerSpec = z.infer<typeof TransformerSpec>;

/** The network, described one of four ways (see spec-format.md). */
export const ModelSpec = z
  .strictObject({
    input: Shape.optional(),
    layers: z.array(LayerSpec).min(1, { error: 'expected at least one layer' }).optional(),
    flopsPerSample: bindable('positive number').optional(),
    params: bindable('non-negative number').optional(),
    transformer: TransformerSpec.optional(),
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
  /** The arithmetic precision; defaults to the hardware's mixed precision for a transformer, else the profile's. */
  precision: Precision.optional(),
  /** Average power per device while it trains, W (measured or capped); defaults to a share of TDP. */
  powerW: num('positive number').optional(),
});

export const TrainingSpec = z.strictObject({
  samples: bindable('positive number'),
  epochs: num('positive integer'),
  batchSize: bindable('positive integer').optional(),
  theta: num('positive number').optional(),
  /** Share of the wall time that advances training (restarts, lost steps and downtime take the rest). */
  goodput: num('share in (0, 1]').optional(),
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

/** The most trials a search may plan. */
export const MAX_TRIALS = 1_000_000;

export const SearchSpec = z.strictObject({
  strategy: Strategy,
  // bounded: the search's spread is simulated trial by trial, and a body is an untrusted input
  trials: num('positive integer')
    .refine((v) => v <= MAX_TRIALS, { error: `expected at most ${MAX_TRIALS} trials` })
    .optional(),
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
