import type { BoundLayer } from '../spec/layer.schema';
import { outputLength } from './conv';
import { elements, expectRank, pair, type LayerCost, type Shape } from './layer.types';

type Pool2d = Extract<BoundLayer, { type: 'maxpool2d' | 'avgpool2d' }>;

/** Max and average pooling: one compare (or add) per window element; the stride defaults to the pool. */
export function pool2dCost(layer: Pool2d, input: Shape): LayerCost {
  expectRank(input, 3, 'height, width, channels');
  const [ph, pw] = pair(layer.pool);
  const [sh, sw] = pair(layer.stride ?? layer.pool);
  const [h, w, c] = input;
  const oh = outputLength(h, ph, sh, layer.padding);
  const ow = outputLength(w, pw, sw, layer.padding);
  const outputs = oh * ow * c;
  return { params: 0, flops: outputs * ph * pw, activations: elements(input) + outputs, outputShape: [oh, ow, c] };
}

export function globalAvgPool2dCost(input: Shape): LayerCost {
  expectRank(input, 3, 'height, width, channels');
  const c = input[2];
  return { params: 0, flops: elements(input), activations: elements(input) + c, outputShape: [c] };
}
