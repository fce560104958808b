import { GPU_PROFILES } from './gpu-profile';
import { inferenceLoad, inferencePowerW, trainingLevelW, trainingPhase, trainingPowerW } from './power-model';
import type { InferenceShape, TrainingShape } from './workload';

const h100 = GPU_PROFILES.h100;
const training: TrainingShape = {
  kind: 'training',
  warmupMs: 60_000,
  epochMs: 300_000,
  evalMs: 30_000,
  utilization: 0.9,
  stepRippleMs: 6_017,
};

describe('training power', () => {
  it('stays below the power limit at full utilisation', () => {
    expect(trainingLevelW({ ...training, utilization: 1 }, h100)).toBeLessThan(h100.tdpW);
  });

  it('ramps up monotonically from near idle during warm-up', () => {
    const ramp = Array.from({ length: 60 }, (_, s) => trainingPowerW(training, h100, s * 1000));
    expect(ramp[0]).toBeGreaterThan(h100.idleW);
    expect(ramp[0]).toBeLessThan(h100.idleW + 0.2 * (trainingLevelW(training, h100) - h100.idleW));
    for (let i = 1; i < ramp.length; i++) expect(ramp[i]).toBeGreaterThan(ramp[i - 1]);
  });

  it('dips for the evaluation at the end of every epoch, with the epoch as period', () => {
    const phases = (from: number) => Array.from({ length: 300 }, (_, s) => trainingPhase(training, from + s * 1000));
    const first = phases(training.warmupMs);
    expect(first.filter((p) => p === 'eval')).toHaveLength(30);
    expect(first.indexOf('eval')).toBe(270);
    expect(phases(training.warmupMs + 3 * training.epochMs)).toEqual(first);
    const evalW = trainingPowerW(training, h100, training.warmupMs + 280_000);
    const trainW = trainingPowerW(training, h100, training.warmupMs + 100_000);
    expect(trainW - evalW).toBeGreaterThan(0.5 * (trainingLevelW(training, h100) - h100.idleW));
  });
});

describe('inference power', () => {
  const shape: InferenceShape = {
    kind: 'inference',
    baseLoad: 0.2,
    peakLoad: 0.7,
    peakHourUtc: 15,
    bursts: [{ atMs: Date.UTC(2026, 2, 2, 3, 0), durationMs: 60_000, extraLoad: 0.3 }],
  };

  it('follows a daily curve: busiest at the peak hour, quietest twelve hours away', () => {
    expect(inferenceLoad(shape, Date.UTC(2026, 2, 2, 15))).toBeCloseTo(0.7, 12);
    expect(inferenceLoad(shape, Date.UTC(2026, 2, 2, 3, 30))).toBeCloseTo(
      0.2 + 0.5 * (0.5 + 0.5 * Math.cos((2 * Math.PI * 12.5) / 24)),
      12,
    );
    expect(inferenceLoad(shape, Date.UTC(2026, 2, 3, 15))).toBeCloseTo(0.7, 12);
  });

  it('adds a burst only while it lasts, and never passes full load', () => {
    const before = inferenceLoad(shape, Date.UTC(2026, 2, 2, 2, 59, 59));
    const during = inferenceLoad(shape, Date.UTC(2026, 2, 2, 3, 0, 30));
    const after = inferenceLoad(shape, Date.UTC(2026, 2, 2, 3, 1, 0));
    expect(during - before).toBeGreaterThan(0.29);
    expect(Math.abs(after - before)).toBeLessThan(0.01);
    const saturated = { ...shape, peakLoad: 0.95, bursts: [{ ...shape.bursts[0], atMs: Date.UTC(2026, 2, 2, 15), extraLoad: 0.5 }] };
    expect(inferenceLoad(saturated, Date.UTC(2026, 2, 2, 15, 0, 10))).toBe(1);
    expect(inferencePowerW(saturated, h100, Date.UTC(2026, 2, 2, 15, 0, 10))).toBeLessThan(h100.tdpW);
  });
});
