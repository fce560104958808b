import type { BoundLayer } from '../spec/layer.schema';
import { elements, type LayerCost, type Shape } from './layer.types';

type Embedding = Extract<BoundLayer, { type: 'embedding' }>;

/** A table lookup: inputDim × outputDim weights, no arithmetic; input is a sequence of token ids. */
export function embeddingCost(layer: Embedding, input: Shape): LayerCost {
  const tokens = elements(input);
  return {
    params: layer.inputDim * layer.outputDim,
    flops: 0,
    activations: tokens + tokens * layer.outputDim,
    outputShape: [...input, layer.outputDim],
  };
}
