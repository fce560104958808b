import { defaultCoefficients } from '../energy/coefficients';
import { findHardware } from '../hardware/hardware.lookup';
import { mnistSpec } from '../testing/fixtures';
import { explainForecast, forecast } from './forecast';
import { DEFAULT_SPREAD } from './spreads';

const J_PER_KWH = 3.6e6;

function mlp(layers: object[], training = { samples: 64_000, epochs: 10, batchSize: 128 }) {
  return { model: { input: [784], layers }, hardware: { profile: 'nvidia-a100-sxm4-80gb' }, training, site: { pue: 1, intensity: 0 } };
}

describe("the paper's findings (estimation-model.md)", () => {
  it('energy is linear in training-set size', () => {
    const at = (samples: number) => forecast(mnistSpec({ training: { samples, epochs: 5, batchSize: 128 } })).energyKWh.p50;
    // Whole batches only: a partial last batch still pays the per-layer cost of a full one.
    expect(at(128_000) / at(64_000)).toBeCloseTo(2, 12);
    expect(at(256_000) / at(64_000)).toBeCloseTo(4, 12);
  });

  it('energy is linear in epochs', () => {
    const at = (epochs: number) => forecast(mnistSpec({ training: { samples: 60_000, epochs, batchSize: 128 } })).energyKWh.p50;
    expect(at(24) / at(12)).toBeCloseTo(2, 12);
    expect(at(3) / at(1)).toBeCloseTo(3, 12);
  });

  it('a deep narrow net costs more than a wide shallow one with more parameters', () => {
    const deep = forecast(
      mlp([
        { type: 'dense', units: 64, repeat: 30, activation: 'relu' },
        { type: 'dense', units: 10 },
      ]),
    );
    const wide = forecast(
      mlp([
        { type: 'dense', units: 1024, activation: 'relu' },
        { type: 'dense', units: 10 },
      ]),
    );
    expect(deep.model.params).toBe(784 * 64 + 64 + 29 * (64 * 64 + 64) + 650);
    expect(wide.model.params).toBe(784 * 1024 + 1024 + 1024 * 10 + 10);
    expect(wide.model.params).toBeGreaterThan(4 * deep.model.params);
    expect(deep.energyKWh.p50).toBeGreaterThan(wide.energyKWh.p50);
  });

  it('a convolution costs more per parameter than a dense layer with the same parameters', () => {
    const base = { hardware: { profile: 'nvidia-a100-sxm4-80gb' }, training: { samples: 64_000, epochs: 1, batchSize: 128 } };
    const conv = forecast({ ...base, model: { input: [26, 26, 32], layers: [{ type: 'conv2d', filters: 64, kernel: 3 }] } });
    const dense = forecast({ ...base, model: { input: [288], layers: [{ type: 'dense', units: 64 }] } });
    expect(conv.model.params).toBe(18_496);
    expect(dense.model.params).toBe(18_496);
    expect(conv.energyKWh.p50 / conv.model.params).toBeGreaterThan(5 * (dense.energyKWh.p50 / dense.model.params));
  });

  it('a small dedicated CNN costs far less than fine-tuning Xception on the same data', () => {
    const dedicated = forecast(mnistSpec({ training: { samples: 60_000, epochs: 12, batchSize: 128 } }));
    const xception = forecast(
      mnistSpec({ model: { flopsPerSample: 8.4e9, params: 22_910_480 }, training: { samples: 60_000, epochs: 2, batchSize: 32 } }),
    );
    expect(xception.energyKWh.p50 / dedicated.energyKWh.p50).toBeGreaterThan(20);
  });
});

describe('energy model', () => {
  const a100 = findHardware('nvidia-a100-sxm4-80gb');
  if (!a100) throw new Error('catalogue lost the A100');

  it('prices flopsPerSample as θ·β·FLOPs/u plus idle power over θ·FLOPs/(peak·u·count)', () => {
    const spec = {
      model: { flopsPerSample: 1e9, params: 0 },
      hardware: { profile: 'nvidia-a100-sxm4-80gb', count: 2, utilization: 0.5 },
      training: { samples: 1e6, epochs: 3, batchSize: 64 },
    };
    const r = forecast(spec);
    const flops = 1e9 * 1e6 * 3;
    // A busy A100 draws 0.9 × its 400 W TDP (host share included); 50 W of it is idle power.
    const beta = (0.9 * 400 - 50) / 19.5e12;
    const seconds = (3 * flops) / (19.5e12 * 0.5 * 2);
    expect(r.energyKWh.p50 * J_PER_KWH).toBeCloseTo((3 * beta * flops) / 0.5 + 50 * 2 * seconds, 3);
    expect(r.durationH.p50 * 3600).toBeCloseTo(seconds, 6);
    expect(r.deviceHours.p50).toBeCloseTo((2 * seconds) / 3600, 9);
    expect(r.gpuHours).toBe(r.deviceHours.p50);
  });

  it('derives default α, β, γ from the datasheet figures', () => {
    const c = defaultCoefficients(a100, 'bf16');
    expect(c.beta).toBeCloseTo(310 / 312e12, 25);
    expect(c.alpha).toBeCloseTo(310 * 50e-6, 12);
    expect(c.gamma).toBeCloseTo((0.25 * 310) / 2039e9, 25);
    expect(c.theta).toBe(3);
    // A stated power replaces the share of TDP.
    expect(defaultCoefficients(a100, 'bf16', 250).beta).toBeCloseTo(200 / 312e12, 25);
  });

  it('θ in the spec overrides the default', () => {
    const spec = (theta?: number) => ({
      model: { flopsPerSample: 1e9 },
      hardware: { profile: 'generic-cpu' },
      training: { samples: 1000, epochs: 1, theta },
    });
    expect(forecast(spec(6)).energyKWh.p50 / forecast(spec()).energyKWh.p50).toBeCloseTo(2, 9);
  });

  it('a transformer trains at 6·N·tokens FLOPs: GPT-3 lands near Patterson et al. 2021', () => {
    const gpt3 = forecast({
      model: { transformer: { params: 1.75e11, tokensPerSample: 2048 } },
      // 10,000 V100s at 24.6 TFLOPS each (19.7 % of 125) as Patterson et al. report.
      hardware: { profile: 'nvidia-tesla-v100-sxm2-32gb', count: 10_000, utilization: 0.197, precision: 'fp16' },
      training: { samples: 3e11, epochs: 1 },
      site: { pue: 1.1, intensity: 429 },
    });
    // Reported: 3.55 M V100-hours, 1,287 MWh, 552 t CO2eq.
    expect(gpt3.gpuHours / 3.55e6).toBeCloseTo(1, 1);
    expect(gpt3.facilityEnergyKWh.p50 / 1.287e6).toBeGreaterThan(0.8);
    expect(gpt3.facilityEnergyKWh.p50 / 1.287e6).toBeLessThan(1.2);
    expect(gpt3.co2eqKg.p50 / 552_000).toBeGreaterThan(0.8);
    expect(gpt3.co2eqKg.p50 / 552_000).toBeLessThan(1.2);
    expect(gpt3.model.flopsPerSample).toBe(2 * 1.75e11 * 2048);
  });

  it('a measured inferenceJ overrides the analysis: I·e in service, θ·E·D·I in training', () => {
    const r = forecast({
      model: { inferenceJ: 0.42 },
      hardware: { profile: 'nvidia-l4' },
      training: { samples: 1000, epochs: 2 },
      inference: { count: 1e6 },
    });
    expect(r.phases.inference.energyKWh * J_PER_KWH).toBeCloseTo(0.42e6, 6);
    expect(r.phases.training.energyKWh * J_PER_KWH).toBeCloseTo(3 * 2 * 1000 * 0.42, 9);
    expect(r.energyKWh.p90 / r.energyKWh.p50).toBeCloseTo(1.1, 12);
  });

  it('life cycle: E_life = search + final training + inference, then PUE and intensity', () => {
    const r = forecast(mnistSpec({ inference: { count: 1e7, batchSize: 1 }, site: { pue: 1.25, intensity: 400 } }));
    const sum = r.phases.search.energyKWh + r.phases.training.energyKWh + r.phases.inference.energyKWh;
    expect(r.energyKWh.p50).toBeCloseTo(sum, 15);
    expect(r.facilityEnergyKWh.p50).toBeCloseTo(1.25 * sum, 15);
    expect(r.co2eqKg.p50).toBeCloseTo((1.25 * sum * 400) / 1000, 15);
  });
});

describe('result contract (spec-format.md)', () => {
  it('has exactly the documented shape', () => {
    const r = forecast(mnistSpec());
    expect(Object.keys(r).sort()).toEqual(
      [
        'assumptions',
        'calibration',
        'co2eqKg',
        'deviceHours',
        'durationH',
        'energyKWh',
        'facilityEnergyKWh',
        'gpuHours',
        'model',
        'phases',
      ].sort(),
    );
    for (const q of [r.energyKWh, r.facilityEnergyKWh, r.co2eqKg, r.durationH, r.deviceHours])
      expect(Object.keys(q)).toEqual(['p10', 'p50', 'p90']);
    expect(Object.keys(r.phases)).toEqual(['search', 'training', 'inference']);
    expect(Object.keys(r.phases.search)).toEqual(['energyKWh', 'trials']);
    expect(Object.keys(r.model)).toEqual(['params', 'flopsPerSample', 'layers']);
    expect(r.model.layers).toBe(7);
    expect(r.calibration).toEqual({ profile: 'nvidia-a100-sxm4-80gb', basis: 'none', observations: 0, mape: null });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('uses the default spread of its kind when uncalibrated, and says where it comes from', () => {
    const r = forecast(mnistSpec());
    expect(r.energyKWh.p10).toBeCloseTo(DEFAULT_SPREAD.layers.p10 * r.energyKWh.p50, 15);
    expect(r.energyKWh.p90).toBeCloseTo(DEFAULT_SPREAD.layers.p90 * r.energyKWh.p50, 15);
    expect(r.assumptions).toContain(
      "uncalibrated interval ×0.13–×11 for every figure: the reference set's spread for models given by layers (wattprint accuracy)",
    );
    expect(r.assumptions).toContain('θ = 3: training costs three forward passes (backward ≈ 2× forward)');
    const t = forecast({
      model: { transformer: { params: 1e9 } },
      hardware: { profile: 'nvidia-a100-sxm4-80gb' },
      training: { samples: 1e10, epochs: 1 },
    });
    expect(t.energyKWh.p90 / t.energyKWh.p50).toBeCloseTo(DEFAULT_SPREAD.transformer.p90, 12);
  });
});

describe('hourly intensity', () => {
  const day = Date.parse('2026-12-01T00:00:00Z');
  // A grid that is clean from 02:00 to 06:00.
  const series = { startMs: day, gPerKWh: Array.from({ length: 48 }, (_, h) => (h % 24 >= 2 && h % 24 < 6 ? 100 : 500)) };
  const spec = (start: string) => ({
    model: { flopsPerSample: 1e9 },
    hardware: { profile: 'nvidia-a100-sxm4-80gb', utilization: 0.5 },
    // 1 h of compute: 3 · 1e9 · 1.17e7 / (19.5e12 · 0.5) s.
    training: { samples: 1.17e7, epochs: 1 },
    site: { pue: 1.2, region: 'DE' },
    start,
  });

  it('integrates CO2eq over the hours the run spans from its start', () => {
    const dirty = forecast(spec('2026-12-01T10:00:00Z'), { intensity: { DE: series } });
    const clean = forecast(spec('2026-12-01T02:00:00Z'), { intensity: { DE: series } });
    expect(dirty.durationH.p50).toBeGreaterThan(0.9);
    expect(dirty.durationH.p50).toBeLessThan(1.1);
    expect(dirty.co2eqKg.p50).toBeCloseTo((dirty.facilityEnergyKWh.p50 * 500) / 1000, 9);
    expect(clean.co2eqKg.p50).toBeCloseTo((clean.facilityEnergyKWh.p50 * 100) / 1000, 9);
  });

  it('suggests the start hour in the next day that emits least', () => {
    const e = explainForecast(spec('2026-12-01T10:00:00Z'), { intensity: { DE: series } });
    expect(new Date(e.bestStart?.startMs ?? 0).toISOString()).toBe('2026-12-02T02:00:00.000Z');
    expect(e.suggestions.some((s) => s.startsWith('starting at 2026-12-02T02:00:00.000Z would emit'))).toBe(true);
  });
});
