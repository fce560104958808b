import { z } from 'zod';
import { bindable, bindablePair } from './numbers';

export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'gelu', 'swish', 'elu'] as const;
export const Activation = z.enum(ACTIVATIONS);
export type Activation = z.infer<typeof Activation>;

const Padding = z.enum(['valid', 'same']);
const common = { repeat: bindable('positive integer').optional() };
const conv = {
  ...common,
  kernel: bindablePair('positive integer'),
  stride: bindablePair('positive integer').optional(),
  padding: Padding.optional(),
  activation: Activation.optional(),
  useBias: z.boolean().optional(),
};
const pool = {
  ...common,
  pool: bindablePair('positive integer'),
  stride: bindablePair('positive integer').optional(),
  padding: Padding.optional(),
};

/** One layer of a sequential model; counts follow Keras' conventions (bias on by default). */
export const LayerSpec = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('dense'),
    ...common,
    units: bindable('positive integer'),
    activation: Activation.optional(),
    useBias: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('conv1d'), ...conv, filters: bindable('positive integer') }),
  z.strictObject({ type: z.literal('conv2d'), ...conv, filters: bindable('positive integer') }),
  z.strictObject({ type: z.literal('depthwiseconv2d'), ...conv, depthMultiplier: bindable('positive integer').optional() }),
  z.strictObject({
    type: z.literal('separableconv2d'),
    ...conv,
    filters: bindable('positive integer'),
    depthMultiplier: bindable('positive integer').optional(),
  }),
  z.strictObject({ type: z.literal('maxpool2d'), ...pool }),
  z.strictObject({ type: z.literal('avgpool2d'), ...pool }),
  z.strictObject({ type: z.literal('globalavgpool2d'), ...common }),
  z.strictObject({ type: z.literal('flatten'), ...common }),
  z.strictObject({ type: z.literal('dropout'), ...common, rate: bindable('rate in [0, 1)') }),
  z.strictObject({ type: z.literal('batchnorm'), ...common }),
  z.strictObject({ type: z.literal('layernorm'), ...common }),
  z.strictObject({
    type: z.literal('embedding'),
    ...common,
    inputDim: bindable('positive integer'),
    outputDim: bindable('positive integer'),
  }),
  z.strictObject({ type: z.literal('lstm'), ...common, units: bindable('positive integer'), returnSequences: z.boolean().optional() }),
  z.strictObject({ type: z.literal('gru'), ...common, units: bindable('positive integer'), returnSequences: z.boolean().optional() }),
  z.strictObject({
    type: z.literal('attention'),
    ...common,
    heads: bindable('positive integer'),
    seq: bindable('positive integer').optional(),
    keyDim: bindable('positive integer').optional(),
  }),
  z.strictObject({
    type: z.literal('transformer_block'),
    ...common,
    heads: bindable('positive integer'),
    dModel: bindable('positive integer'),
    dFF: bindable('positive integer'),
    seq: bindable('positive integer').optional(),
  }),
]);
export type LayerSpec = z.infer<typeof LayerSpec>;
export type LayerType = LayerSpec['type'];
export const LAYER_TYPES: LayerType[] = LayerSpec.options.map((o) => o.shape.type.value);

/** A value once every `$name` in it has been replaced by a number (plain strings become numbers; literals stay). */
export type Bound<T> = T extends readonly [infer A, infer B]
  ? [Bound<A>, Bound<B>]
  : T extends object
    ? { [K in keyof T]: Bound<T[K]> }
    : string extends T
      ? number
      : T;
export type BoundLayer = Bound<LayerSpec>;
