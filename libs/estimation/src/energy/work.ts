/**
 * What a network is for cost purposes, whatever way the spec described it. Per sample, forward.
 */
export type SampleModel =
  | { kind: 'layers' | 'flops'; params: number; flops: number; activations: number; layers: number }
  /** flops are per token; a sample (one inference) is tokensPerSample tokens. */
  | { kind: 'transformer'; params: number; flops: number; activations: 0; layers: 0; tokensPerSample: number }
  | { kind: 'measured'; params: 0; flops: 0; activations: 0; layers: 0; inferenceJ: number };

/** Forward work of a number of samples processed in batches; one device's view is not needed here. */
export interface Work {
  /** Layers × batches: how often a layer's fixed cost is paid. */
  layerBatches: number;
  flops: number;
  /** Bytes moved: activations of every sample, weights once per batch. */
  bytes: number;
}

export const NO_WORK: Work = { layerBatches: 0, flops: 0, bytes: 0 };

export function forwardWork(model: SampleModel, samples: number, batchSize: number, bytesPerElement: number): Work {
  if (samples === 0) return NO_WORK;
  const batches = Math.ceil(samples / batchSize);
  return {
    layerBatches: model.layers * batches,
    flops: model.flops * samples,
    bytes: bytesPerElement * (model.activations * samples + (model.kind === 'transformer' ? 0 : model.params * batches)),
  };
}

export function addWork(a: Work, b: Work, times = 1): Work {
  return { layerBatches: a.layerBatches + times * b.layerBatches, flops: a.flops + times * b.flops, bytes: a.bytes + times * b.bytes };
}
