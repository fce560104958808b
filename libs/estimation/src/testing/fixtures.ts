// Specs shared by the specs of this library (imported by *.spec.ts only; excluded from the build).

/** Keras' MNIST convnet (keras.io/examples/vision/mnist_convnet): 34,826 parameters. */
export const MNIST_LAYERS = [
  { type: 'conv2d', filters: 32, kernel: 3, activation: 'relu' },
  { type: 'maxpool2d', pool: 2 },
  { type: 'conv2d', filters: 64, kernel: 3, activation: 'relu' },
  { type: 'maxpool2d', pool: 2 },
  { type: 'flatten' },
  { type: 'dropout', rate: 0.5 },
  { type: 'dense', units: 10, activation: 'softmax' },
];

export function mnistSpec(overrides: Record<string, unknown> = {}) {
  return {
    name: 'mnist-dedicated',
    model: { input: [28, 28, 1], layers: MNIST_LAYERS },
    hardware: { profile: 'nvidia-a100-sxm4-80gb', count: 1 },
    training: { samples: 60_000, epochs: 12, batchSize: 128 },
    site: { pue: 1.58, intensity: 380 },
    ...overrides,
  };
}

/** A dense net on flattened MNIST, searched over its width and depth. */
export function denseSearchSpec(search: Record<string, unknown>) {
  return {
    model: {
      input: [784],
      layers: [
        { type: 'dense', units: '$units', repeat: '$depth', activation: 'relu' },
        { type: 'dense', units: 10 },
      ],
    },
    hardware: { profile: 'nvidia-a100-sxm4-80gb' },
    training: { samples: 60_000, epochs: 9, batchSize: 128 },
    search: { space: { units: [64, 256, 1024], depth: [1, 2, 4], lr: { min: 1e-4, max: 1e-1, log: true } }, ...search },
    site: { pue: 1.2, intensity: 300 },
  };
}
