import type { BoundLayer } from '../spec/layer.schema';
import { expectRank, type LayerCost, type Shape } from './layer.types';

type Lstm = Extract<BoundLayer, { type: 'lstm' }>;
type Gru = Extract<BoundLayer, { type: 'gru' }>;

/**
 * Keras LSTM: 4 gates, each with input kernel d×u, recurrent kernel u×u and bias u.
 * Per step: the gate matmuls (2·4u(d+u)), bias adds (4u), gate nonlinearities (3 sigmoid + 2 tanh
 * at 4 FLOPs each = 20u) and the cell/hidden updates (4u).
 */
export function lstmCost(layer: Lstm, input: Shape): LayerCost {
  expectRank(input, 2, 'steps, features');
  const [steps, d] = input;
  const u = layer.units;
  const outSteps = layer.returnSequences ? steps : 1;
  return {
    params: 4 * (u * (d + u) + u),
    flops: steps * (8 * u * (d + u) + 28 * u),
    activations: steps * d + outSteps * u,
    outputShape: layer.returnSequences ? [steps, u] : [u],
  };
}

/**
 * Keras GRU (reset_after=true, the default since TF 2): 3 gates with input kernel d×u, recurrent
 * kernel u×u and two biases (input and recurrent), 2u each.
 * Per step: matmuls 2·3u(d+u), bias adds 6u, nonlinearities (2 sigmoid + 1 tanh = 12u), updates 4u.
 */
export function gruCost(layer: Gru, input: Shape): LayerCost {
  expectRank(input, 2, 'steps, features');
  const [steps, d] = input;
  const u = layer.units;
  const outSteps = layer.returnSequences ? steps : 1;
  return {
    params: 3 * (u * (d + u) + 2 * u),
    flops: steps * (6 * u * (d + u) + 22 * u),
    activations: steps * d + outSteps * u,
    outputShape: layer.returnSequences ? [steps, u] : [u],
  };
}
