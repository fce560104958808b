import type { BoundLayer } from '../spec/layer.schema';
import { activationFlops } from './activation';
import { elements, ShapeError, type LayerCost, type Shape } from './layer.types';

type Dense = Extract<BoundLayer, { type: 'dense' }>;

/** Keras Dense: acts on the last axis, so a [seq, d] input is handled position by position. */
export function denseCost(layer: Dense, input: Shape): LayerCost {
  if (input.length === 0) throw new ShapeError('expected an input with at least one axis');
  const inFeatures = input[input.length - 1];
  const positions = elements(input) / inFeatures;
  const bias = layer.useBias ?? true;
  const outputShape = [...input.slice(0, -1), layer.units];
  const outputs = positions * layer.units;
  return {
    params: inFeatures * layer.units + (bias ? layer.units : 0),
    flops: 2 * inFeatures * outputs + (bias ? outputs : 0) + activationFlops(layer.activation, outputs),
    activations: elements(input) + outputs,
    outputShape,
  };
}
