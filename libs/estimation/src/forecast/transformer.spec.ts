import { findHardware } from '../hardware/hardware.lookup';
import { SpecError, problemLine } from '../problems';
import { forecast } from './forecast';

const J_PER_KWH = 3.6e6;

function transformer(model: Record<string, unknown>, hardware: Record<string, unknown> = {}, training: Record<string, unknown> = {}) {
  return {
    model: { transformer: { params: 7e9, ...model } },
    hardware: { profile: 'nvidia-a100-sxm4-80gb', count: 64, ...hardware },
    training: { samples: 1e11, epochs: 1, ...training },
    site: { pue: 1, intensity: 0 },
  };
}

function problems(spec: unknown): string[] {
  try {
    forecast(spec);
  } catch (error) {
    if (error instanceof SpecError) return error.problems.map(problemLine);
    throw error;
  }
  throw new Error('expected the spec to be refused');
}

describe('transformer defaults', () => {
  it("prices training in the hardware's mixed precision, and says so", () => {
    const a100 = forecast(transformer({}));
    const fp32 = forecast(transformer({}, { precision: 'fp32' }));
    // 312 TFLOPS in bf16 against 19.5 in fp32: the fp32 forecast takes 16× the device-hours.
    expect(fp32.deviceHours.p50 / a100.deviceHours.p50).toBeCloseTo(16, 9);
    expect(a100.assumptions[0]).toBe(
      "precision bf16: nvidia-a100-sxm4-80gb's usual mixed precision for transformer training (set hardware.precision)",
    );
    expect(forecast(transformer({}, { profile: 'nvidia-tesla-v100-sxm2-16gb' })).assumptions[0]).toMatch(/^precision fp16:/);
    expect(forecast(transformer({}, { profile: 'google-tpu-v3' })).assumptions[0]).toMatch(/^precision bf16:/);
    // Networks given by layers keep the profile's default precision.
    const cnn = forecast({
      model: { flopsPerSample: 1e9 },
      hardware: { profile: 'nvidia-a100-sxm4-80gb' },
      training: { samples: 1e5, epochs: 1 },
    });
    expect(cnn.assumptions[0]).toMatch(/^precision fp32 /);
  });

  it('takes utilisation by generation and size, with its source', () => {
    const hours = (params: number, profile: string) =>
      forecast(transformer({ params }, { profile }, { samples: 1e12 })).deviceHours.p50 / ((6 * params * 1e12) / 3.6e18);
    // device-hours per PFLOP-hour of work = 1 / (peak · u) in PFLOPS.
    expect(hours(70e9, 'nvidia-a100-sxm4-80gb')).toBeCloseTo(1 / (0.312 * 0.46), 9);
    expect(hours(70e9, 'nvidia-h100-sxm5-80gb')).toBeCloseTo(1 / (0.9895 * 0.32), 9);
    expect(hours(8e9, 'nvidia-h100-sxm5-80gb')).toBeCloseTo(1 / (0.9895 * 0.19), 9);
    expect(hours(175e9, 'nvidia-tesla-v100-sxm2-16gb')).toBeCloseTo(1 / (0.125 * 0.2), 9);
    const h100 = forecast(transformer({ params: 8e9 }, { profile: 'nvidia-h100-sxm5-80gb' }));
    expect(h100.assumptions.find((a) => a.startsWith('utilisation'))).toMatch(
      /^utilisation 0\.19 of peak FLOPS for a transformer under 20 B parameters on Hopper \(reference set: Llama 3 8B/,
    );
    // A mixture of experts is sized by its active parameters.
    expect(forecast(transformer({ params: 600e9, activeParams: 10e9 }, { profile: 'nvidia-h100-sxm5-80gb' })).assumptions).toContainEqual(
      expect.stringMatching(/^utilisation 0\.19 /),
    );
    // A stated utilisation wins.
    expect(forecast(transformer({}, { utilization: 0.5 })).assumptions.some((a) => a.startsWith('utilisation'))).toBe(false);
  });

  it('counts average power as a share of TDP, or hardware.powerW', () => {
    const a100 = findHardware('nvidia-a100-sxm4-80gb');
    const byDefault = forecast(transformer({}));
    const stated = forecast(transformer({}, { powerW: 250 }));
    // Compute-bound: energy = device-seconds × busy power (the idle share is part of it).
    expect((byDefault.energyKWh.p50 * J_PER_KWH) / (byDefault.deviceHours.p50 * 3600)).toBeCloseTo(0.9 * (a100?.tdpW.value ?? 0), 6);
    expect((stated.energyKWh.p50 * J_PER_KWH) / (stated.deviceHours.p50 * 3600)).toBeCloseTo(250, 6);
    expect(stated.deviceHours.p50).toBe(byDefault.deviceHours.p50);
    expect(stated.assumptions).toContain('average power 250 W per device while busy (set in the spec)');
    expect(byDefault.assumptions.find((a) => a.startsWith('average power'))).toMatch(
      /^average power 360 W per device while busy: 0\.9 × the 400 W TDP/,
    );
    expect(problems(transformer({}, { powerW: 40 }))).toEqual([
      "hardware.powerW: got 40; expected more than nvidia-a100-sxm4-80gb's idle power of 50 W",
    ]);
  });

  it('grows time and energy by 1/goodput', () => {
    const full = forecast(transformer({}));
    const lossy = forecast(transformer({}, {}, { goodput: 0.8 }));
    expect(lossy.energyKWh.p50 / full.energyKWh.p50).toBeCloseTo(1.25, 12);
    expect(lossy.deviceHours.p50 / full.deviceHours.p50).toBeCloseTo(1.25, 12);
    expect(lossy.assumptions).toContain("goodput 0.8: training's time and energy grow by 1/0.8 for restarts and downtime");
    expect(problems(transformer({}, {}, { goodput: 1.2 }))).toEqual(['training.goodput: got 1.2; expected a share in (0, 1]']);
  });

  it('adds attention FLOPs when layers, dModel and context are given (PaLM, Appendix B)', () => {
    const plain = forecast(transformer({}, { utilization: 0.4 }));
    const shaped = forecast(transformer({ layers: 32, dModel: 4096, context: 4096 }, { utilization: 0.4 }));
    // 6·N + 12·L·T·d per token, against 6·N.
    expect(shaped.deviceHours.p50 / plain.deviceHours.p50).toBeCloseTo((6 * 7e9 + 12 * 32 * 4096 * 4096) / (6 * 7e9), 9);
    expect(shaped.model.layers).toBe(32);
    expect(plain.model.layers).toBeNull();
    expect(shaped.model.flopsPerSample).toBe(2 * 7e9 + 4 * 32 * 4096 * 4096);
    expect(problems(transformer({ layers: 32, dModel: 4096 }))).toEqual([
      'model.transformer.context: missing; expected layers, dModel and context together (attention FLOPs need all three), or none of them',
    ]);
  });

  it('prices a mixture of experts by its active parameters', () => {
    const moe = forecast(transformer({ params: 600e9, activeParams: 7e9 }, { utilization: 0.4 }));
    const dense = forecast(transformer({ params: 7e9 }, { utilization: 0.4 }));
    expect(moe.energyKWh.p50).toBeCloseTo(dense.energyKWh.p50, 9);
    expect(moe.model.params).toBe(600e9);
    expect(problems(transformer({ params: 1e9, activeParams: 2e9 }))).toEqual([
      'model.transformer.activeParams: got 2000000000; expected at most params (1000000000)',
    ]);
  });

  it('needs tokensPerSample only to price inference', () => {
    expect(forecast(transformer({})).energyKWh.p50).toBeGreaterThan(0);
    expect(problems({ ...transformer({}), inference: { count: 1e6 } })).toEqual([
      'model.transformer.tokensPerSample: missing; expected the tokens of one inference, because inference.count is given',
    ]);
    const served = forecast({ ...transformer({ tokensPerSample: 512 }), inference: { count: 1e6, batchSize: 8 } });
    // 2·N FLOPs per token over 512 tokens per inference.
    expect(served.model.flopsPerSample).toBe(2 * 7e9 * 512);
  });
});
