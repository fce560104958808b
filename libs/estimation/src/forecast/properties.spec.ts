// The paper's findings (estimation-model.md) and the forecast's own invariants, checked over seeded
// random networks rather than a few hand-picked ones.
import { mulberry32 } from '../search/prng';
import { forecast } from './forecast';

const CASES = 40;
const random = mulberry32(20_231_101);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(values: readonly T[]): T => values[int(0, values.length - 1)];
const PROFILES = [
  'nvidia-a100-sxm4-80gb',
  'nvidia-tesla-v100-sxm2-16gb',
  'nvidia-l4',
  'nvidia-geforce-rtx-4090',
  'google-tpu-v3',
  'generic-cpu',
];

/** A random MLP or small CNN, a random profile and batch size. */
function randomNet() {
  const conv = random() < 0.5;
  const layers = conv
    ? [
        { type: 'conv2d', filters: int(4, 64), kernel: pick([1, 3, 5]), activation: 'relu', repeat: int(1, 4), padding: 'same' },
        { type: 'maxpool2d', pool: 2 },
        { type: 'flatten' },
        { type: 'dense', units: int(2, 100) },
      ]
    : [
        { type: 'dense', units: int(8, 1024), repeat: int(1, 12), activation: 'relu' },
        { type: 'dense', units: int(2, 100) },
      ];
  return {
    model: { input: conv ? [int(8, 32), int(8, 32), int(1, 3)] : [int(16, 2048)], layers },
    hardware: { profile: pick(PROFILES), count: int(1, 8) },
    site: { pue: 1 + random(), intensity: int(0, 800) },
  };
}

function cases<T>(make: () => T): T[] {
  return Array.from({ length: CASES }, make);
}

describe('linearity in training-set size and epochs', () => {
  it.each(cases(() => ({ net: randomNet(), batch: int(1, 512), batches: int(1, 2000), k: int(2, 9), epochs: int(1, 30) })))(
    'energy, duration and device-hours scale with whole batches of samples and with epochs (%#)',
    ({ net, batch, batches, k, epochs }) => {
      const at = (samples: number, e: number) => forecast({ ...net, training: { samples, epochs: e, batchSize: batch } });
      const base = at(batch * batches, epochs);
      const more = at(k * batch * batches, epochs);
      const longer = at(batch * batches, k * epochs);
      for (const r of [more, longer]) {
        expect(r.energyKWh.p50 / base.energyKWh.p50).toBeCloseTo(k, 9);
        expect(r.durationH.p50 / base.durationH.p50).toBeCloseTo(k, 9);
        expect(r.deviceHours.p50 / base.deviceHours.p50).toBeCloseTo(k, 9);
      }
    },
  );
});

describe('deep versus wide', () => {
  it.each(cases(() => ({ width: int(16, 256), depth: int(6, 60), input: int(64, 2048), batch: int(16, 512), profile: pick(PROFILES) })))(
    'a deep narrow MLP costs more than a wide shallow one with at least as many parameters (%#)',
    ({ width, depth, input, batch, profile }) => {
      const net = (layers: object[]) =>
        forecast({
          model: { input: [input], layers },
          hardware: { profile },
          training: { samples: 100 * batch, epochs: 2, batchSize: batch },
        });
      const deep = net([
        { type: 'dense', units: width, repeat: depth, activation: 'relu' },
        { type: 'dense', units: 10 },
      ]);
      // One hidden layer wide enough to hold at least the deep net's parameters.
      const units = Math.ceil(deep.model.params / (input + 11));
      const wide = net([
        { type: 'dense', units, activation: 'relu' },
        { type: 'dense', units: 10 },
      ]);
      expect(wide.model.params).toBeGreaterThanOrEqual(deep.model.params);
      expect(deep.energyKWh.p50).toBeGreaterThan(wide.energyKWh.p50);
    },
  );
});

describe('convolution versus dense, per parameter', () => {
  it.each(
    cases(() => ({ side: int(6, 40), channels: int(1, 64), filters: int(1, 128), kernel: pick([1, 3, 5]), profile: pick(PROFILES) })),
  )(
    'a convolution costs more energy per parameter than a dense layer of the same parameter count (%#)',
    ({ side, channels, filters, kernel, profile }) => {
      const run = (model: object) =>
        forecast({ model, hardware: { profile }, training: { samples: 12_800, epochs: 1, batchSize: 128 }, site: { pue: 1 } });
      const conv = run({ input: [side, side, channels], layers: [{ type: 'conv2d', filters, kernel, padding: 'same' }] });
      // A dense layer with exactly the conv's parameters: (k²·c + 1)·f weights and biases.
      const dense = run({ input: [kernel * kernel * channels], layers: [{ type: 'dense', units: filters }] });
      expect(dense.model.params).toBe(conv.model.params);
      expect(conv.energyKWh.p50 / conv.model.params).toBeGreaterThan(dense.energyKWh.p50 / dense.model.params);
    },
  );
});

describe('θ, the training overhead', () => {
  it.each(cases(() => ({ net: randomNet(), theta: 0.5 + 9 * random(), epochs: int(1, 5) })))(
    'training energy and duration are θ forward passes: θ′/θ times another θ (%#)',
    ({ net, theta, epochs }) => {
      const at = (t: number) => forecast({ ...net, training: { samples: 25_600, epochs, batchSize: 128, theta: t } });
      const ratio = theta / 3;
      expect(at(theta).energyKWh.p50 / at(3).energyKWh.p50).toBeCloseTo(ratio, 9);
      expect(at(theta).durationH.p50 / at(3).durationH.p50).toBeCloseTo(ratio, 9);
    },
  );

  it('a training pass costs θ times the same pass forward only, idle power included', () => {
    const net = randomNet();
    const train = forecast({ ...net, training: { samples: 128 * 50, epochs: 1, batchSize: 128 } });
    const infer = forecast({ ...net, inference: { count: 128 * 50, batchSize: 128 } });
    expect(train.energyKWh.p50 / infer.energyKWh.p50).toBeCloseTo(3, 9);
  });
});

describe('one uncertainty', () => {
  const searchOf = () =>
    pick([
      undefined,
      { strategy: 'random', trials: int(2, 30), seed: int(0, 99), space: { u: [16, 64, 256, 1024] } },
      { strategy: 'hyperband', maxEpochs: 27, space: { u: [16, 64, 256, 1024] } },
    ]);
  it.each(cases(() => ({ net: randomNet(), search: searchOf(), transformer: random() < 0.3 })))(
    'energy, facility energy, CO2eq, duration and device-hours share one p10–p90 (%#)',
    ({ net, search, transformer }) => {
      const spec = transformer
        ? { ...net, model: { transformer: { params: int(1, 100) * 1e8 } }, training: { samples: 1e10, epochs: 1 } }
        : {
            ...net,
            model: search
              ? {
                  input: [784],
                  layers: [
                    { type: 'dense', units: '$u', repeat: 3 },
                    { type: 'dense', units: 10 },
                  ],
                }
              : net.model,
            training: { samples: 60_000, epochs: 9, batchSize: 128 },
            search,
          };
      const r = forecast(spec);
      const low = r.energyKWh.p10 / r.energyKWh.p50;
      const high = r.energyKWh.p90 / r.energyKWh.p50;
      expect(low).toBeLessThan(1);
      expect(high).toBeGreaterThan(1);
      for (const q of [r.facilityEnergyKWh, r.co2eqKg, r.durationH, r.deviceHours]) {
        if (q.p50 === 0) continue;
        expect(q.p10 / q.p50).toBeCloseTo(low, 12);
        expect(q.p90 / q.p50).toBeCloseTo(high, 12);
      }
      const pue = net.site.pue;
      expect(r.facilityEnergyKWh.p90).toBeCloseTo(r.energyKWh.p90 * pue, 12);
      expect(r.deviceHours.p10).toBeCloseTo(r.durationH.p10 * net.hardware.count, 12);
      expect(r.gpuHours).toBe(r.deviceHours.p50);
    },
  );
});
