import { elements, ShapeError, type LayerCost, type Shape } from './layer.types';

function lastAxis(input: Shape): number {
  if (input.length === 0) throw new ShapeError('expected an input with at least one axis');
  return input[input.length - 1];
}

/**
 * Keras BatchNormalization on the channel axis: gamma, beta, moving mean and moving variance
 * (4 per channel; 2 of them non-trainable). At inference it folds into one multiply-add per element.
 */
export function batchNormCost(input: Shape): LayerCost {
  const n = elements(input);
  return { params: 4 * lastAxis(input), flops: 2 * n, activations: 2 * n, outputShape: input };
}

/** LayerNormalization on the last axis: gamma and beta; mean, variance, normalise, scale, shift ≈ 5 FLOPs per element. */
export function layerNormCost(input: Shape): LayerCost {
  const n = elements(input);
  return { params: 2 * lastAxis(input), flops: 5 * n, activations: 2 * n, outputShape: input };
}
