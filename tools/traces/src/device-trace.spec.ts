import { OverlappingSegmentsError, renderDeviceTrace, type DeviceSegment } from './device-trace';
import { GPU_PROFILES } from './gpu-profile';
import { Rng } from './prng';
import type { TrainingShape } from './workload';

const grid = { startMs: 1_000_000, intervalMs: 1000, count: 601 };
const shape: TrainingShape = { kind: 'training', warmupMs: 20_000, epochMs: 60_000, evalMs: 6_000, utilization: 1, stepRippleMs: 5_003 };

describe('renderDeviceTrace', () => {
  it('labels exactly the instants in [start, end) with the job and leaves the rest idle', () => {
    const segments: DeviceSegment[] = [
      { job: 3, startMs: 1_100_000, endMs: 1_200_000, shape },
      { job: 5, startMs: 1_200_000, endMs: 1_300_000, shape },
    ];
    const trace = renderDeviceTrace('gpu0', grid, segments, GPU_PROFILES.h100, new Rng(1));
    const label = (t: number) => trace.job[(t - grid.startMs) / grid.intervalMs];
    expect(label(1_099_000)).toBe(-1);
    expect(label(1_100_000)).toBe(3);
    expect(label(1_199_000)).toBe(3);
    expect(label(1_200_000)).toBe(5);
    expect(label(1_299_000)).toBe(5);
    expect(label(1_300_000)).toBe(-1);
  });

  it('clamps every reading into [0.9 × idle, limit], even with a profile whose limit is not a whole centiwatt', () => {
    // Idle noise alone would cross a limit this close to idle, so the cap is exercised on every other reading.
    const tight = { id: 'x', name: 'x', idleW: 100, tdpW: 100.005 };
    const trace = renderDeviceTrace('gpu0', grid, [{ job: 0, startMs: grid.startMs, endMs: 1_600_000, shape }], tight, new Rng(9));
    const watts = Array.from(trace.powerCw, (cw) => cw / 100);
    expect(Math.max(...watts)).toBeLessThanOrEqual(100.005);
    expect(Math.max(...watts)).toBe(100);
    expect(Math.min(...watts)).toBeGreaterThanOrEqual(90);
  });

  it('gives the same readings for the same seed and different ones for another', () => {
    const a = renderDeviceTrace('gpu0', grid, [], GPU_PROFILES.a100, new Rng(4));
    const b = renderDeviceTrace('gpu0', grid, [], GPU_PROFILES.a100, new Rng(4));
    const c = renderDeviceTrace('gpu0', grid, [], GPU_PROFILES.a100, new Rng(5));
    expect(b.powerCw).toEqual(a.powerCw);
    expect(c.powerCw).not.toEqual(a.powerCw);
  });

  it('refuses overlapping jobs on one device', () => {
    const segments: DeviceSegment[] = [
      { job: 0, startMs: 1_100_000, endMs: 1_200_000, shape },
      { job: 1, startMs: 1_150_000, endMs: 1_250_000, shape },
    ];
    expect(() => renderDeviceTrace('gpu3', grid, segments, GPU_PROFILES.h100, new Rng(1))).toThrow(OverlappingSegmentsError);
    expect(() => renderDeviceTrace('gpu3', grid, segments, GPU_PROFILES.h100, new Rng(1))).toThrow(
      'device gpu3: a segment starts at 1150000 before the previous one ends at 1200000',
    );
  });
});
