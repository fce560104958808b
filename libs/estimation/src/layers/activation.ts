import type { Activation } from '../spec/layer.schema';

/**
 * FLOPs per output element of an activation. Approximate: transcendental functions are counted
 * as a few FLOPs, which is what FLOP counters such as fvcore and ptflops do.
 */
export const ACTIVATION_FLOPS: Record<Activation, number> = {
  linear: 0,
  relu: 1,
  elu: 3,
  sigmoid: 4,
  tanh: 4,
  swish: 5,
  softmax: 3,
  gelu: 8,
};

export function activationFlops(activation: Activation | undefined, outputs: number): number {
  return ACTIVATION_FLOPS[activation ?? 'linear'] * outputs;
}
