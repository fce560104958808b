/** Sample shape without the batch axis, e.g. [28, 28, 1] (height, width, channels: channels last). */
export type Shape = readonly number[];

/** What one layer costs for one sample in the forward pass. */
export interface LayerCost {
  /** Parameters (Keras' "Total params": trainable and not). */
  params: number;
  /** Forward FLOPs of one sample; a multiply-add counts 2, a bias add, compare or activation 1 per element. */
  flops: number;
  /** Activation elements read and written for one sample (input + output); weights are counted apart. */
  activations: number;
  outputShape: Shape;
}

/** Thrown when a layer cannot take the shape it is given; the analyser adds the layer's path. */
export class ShapeError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ShapeError';
  }
}

export function elements(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function expectRank(shape: Shape, rank: number, what: string): void {
  if (shape.length !== rank) throw new ShapeError(`expected an input of rank ${rank} (${what}); got shape [${shape.join(', ')}]`);
}

export function pair(value: number | readonly [number, number]): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}
