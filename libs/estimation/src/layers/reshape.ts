import { elements, type LayerCost, type Shape } from './layer.types';

/** Flatten only relabels memory: no arithmetic and, in frameworks, no copy. */
export function flattenCost(input: Shape): LayerCost {
  return { params: 0, flops: 0, activations: 0, outputShape: [elements(input)] };
}

/** Dropout: one mask multiply per element while training (inference skips it; we count the training cost). */
export function dropoutCost(input: Shape): LayerCost {
  const n = elements(input);
  return { params: 0, flops: n, activations: 2 * n, outputShape: input };
}
