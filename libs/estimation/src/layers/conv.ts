import type { BoundLayer } from '../spec/layer.schema';
import { activationFlops } from './activation';
import { elements, expectRank, pair, ShapeError, type LayerCost, type Shape } from './layer.types';

type Conv1d = Extract<BoundLayer, { type: 'conv1d' }>;
type Conv2d = Extract<BoundLayer, { type: 'conv2d' }>;
type Depthwise = Extract<BoundLayer, { type: 'depthwiseconv2d' }>;
type Separable = Extract<BoundLayer, { type: 'separableconv2d' }>;

/** Output length along one axis, as Keras computes it. */
export function outputLength(length: number, kernel: number, stride: number, padding: 'valid' | 'same' | undefined): number {
  const out = padding === 'same' ? Math.ceil(length / stride) : Math.floor((length - kernel) / stride) + 1;
  if (out < 1) throw new ShapeError(`expected an input of at least ${kernel} along each spatial axis; got ${length}`, 'kernel');
  return out;
}

function spatial2d(
  layer: { kernel: number | [number, number]; stride?: number | [number, number]; padding?: 'valid' | 'same' },
  input: Shape,
) {
  expectRank(input, 3, 'height, width, channels');
  const [kh, kw] = pair(layer.kernel);
  const [sh, sw] = pair(layer.stride ?? 1);
  const [h, w, c] = input;
  return { kh, kw, c, oh: outputLength(h, kh, sh, layer.padding), ow: outputLength(w, kw, sw, layer.padding) };
}

export function conv1dCost(layer: Conv1d, input: Shape): LayerCost {
  expectRank(input, 2, 'steps, channels');
  if (Array.isArray(layer.kernel) || Array.isArray(layer.stride))
    throw new ShapeError('expected a single kernel and stride for conv1d', 'kernel');
  const k = layer.kernel as number;
  const [steps, c] = input;
  const out = outputLength(steps, k, (layer.stride as number | undefined) ?? 1, layer.padding);
  const bias = layer.useBias ?? true;
  const outputs = out * layer.filters;
  return {
    params: k * c * layer.filters + (bias ? layer.filters : 0),
    flops: 2 * k * c * outputs + (bias ? outputs : 0) + activationFlops(layer.activation, outputs),
    activations: elements(input) + outputs,
    outputShape: [out, layer.filters],
  };
}

export function conv2dCost(layer: Conv2d, input: Shape): LayerCost {
  const { kh, kw, c, oh, ow } = spatial2d(layer, input);
  const bias = layer.useBias ?? true;
  const outputs = oh * ow * layer.filters;
  return {
    params: kh * kw * c * layer.filters + (bias ? layer.filters : 0),
    flops: 2 * kh * kw * c * outputs + (bias ? outputs : 0) + activationFlops(layer.activation, outputs),
    activations: elements(input) + outputs,
    outputShape: [oh, ow, layer.filters],
  };
}

export function depthwiseConv2dCost(layer: Depthwise, input: Shape): LayerCost {
  const { kh, kw, c, oh, ow } = spatial2d(layer, input);
  const m = layer.depthMultiplier ?? 1;
  const bias = layer.useBias ?? true;
  const outputs = oh * ow * c * m;
  return {
    params: kh * kw * c * m + (bias ? c * m : 0),
    flops: 2 * kh * kw * outputs + (bias ? outputs : 0) + activationFlops(layer.activation, outputs),
    activations: elements(input) + outputs,
    outputShape: [oh, ow, c * m],
  };
}

/** Keras SeparableConv2D: a depthwise convolution, then a 1x1 pointwise one; one bias, on the output. */
export function separableConv2dCost(layer: Separable, input: Shape): LayerCost {
  const { kh, kw, c, oh, ow } = spatial2d(layer, input);
  const m = layer.depthMultiplier ?? 1;
  const bias = layer.useBias ?? true;
  const depthwiseOut = oh * ow * c * m;
  const outputs = oh * ow * layer.filters;
  return {
    params: kh * kw * c * m + c * m * layer.filters + (bias ? layer.filters : 0),
    flops: 2 * kh * kw * depthwiseOut + 2 * c * m * outputs + (bias ? outputs : 0) + activationFlops(layer.activation, outputs),
    activations: elements(input) + depthwiseOut * 2 + outputs,
    outputShape: [oh, ow, layer.filters],
  };
}
