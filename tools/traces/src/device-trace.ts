import type { GpuProfile } from './gpu-profile';
import { floorW, noiseSdW, workloadPowerW } from './power-model';
import type { Rng } from './prng';
import { gridTime, type SampleGrid } from './sample-grid';
import type { WorkloadShape } from './workload';

/** One job's stay on one device: [startMs, endMs). */
export interface DeviceSegment {
  /** Index of the job in the scenario's job list. */
  job: number;
  startMs: number;
  endMs: number;
  shape: WorkloadShape;
}

/**
 * The readings of one device on the scenario grid. Power is kept in integer centiwatts: the CSV
 * prints exactly these values with two decimals, so the truth and any re-integration of the file
 * start from the very same numbers.
 */
export interface DeviceTrace {
  device: string;
  powerCw: Int32Array;
  /** Job index holding the device at each instant, −1 when idle. */
  job: Int32Array;
}

/** Successive noise values are correlated like real sensor and workload jitter, not white. */
const NOISE_MEMORY = 0.8;
const NOISE_INNOVATION = Math.sqrt(1 - NOISE_MEMORY * NOISE_MEMORY);

export class OverlappingSegmentsError extends Error {
  override readonly name = 'OverlappingSegmentsError';

  constructor(device: string, previousEnd: number, nextStart: number) {
    super(`device ${device}: a segment starts at ${nextStart} before the previous one ends at ${previousEnd}`);
  }
}

/** Renders one device's power at every grid instant from its job segments; idle in between. */
export function renderDeviceTrace(
  device: string,
  grid: SampleGrid,
  segments: readonly DeviceSegment[],
  profile: GpuProfile,
  rng: Rng,
): DeviceTrace {
  const ordered = [...segments].sort((a, b) => a.startMs - b.startMs);
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i].startMs < ordered[i - 1].endMs) {
      throw new OverlappingSegmentsError(device, ordered[i - 1].endMs, ordered[i].startMs);
    }
  }
  const powerCw = new Int32Array(grid.count);
  const job = new Int32Array(grid.count).fill(-1);
  const floor = floorW(profile);
  // The cap is taken in centiwatts so rounding a reading can never lift it above the limit.
  const capCw = Math.floor(profile.tdpW * 100 + 1e-6);
  let noise = 0;
  let previousSd = 0;
  let next = 0;
  for (let k = 0; k < grid.count; k++) {
    const t = gridTime(grid, k);
    while (next < ordered.length && ordered[next].endMs <= t) next++;
    const segment = next < ordered.length && ordered[next].startMs <= t ? ordered[next] : null;
    const shape = segment?.shape ?? null;
    const meanW = segment ? workloadPowerW(segment.shape, profile, t, segment.startMs) : profile.idleW;
    const sd = noiseSdW(shape, profile);
    // A job starting or ending changes how jumpy the card is at once, so rescale the carried noise.
    if (sd !== previousSd) noise *= previousSd > 0 ? sd / previousSd : 0;
    previousSd = sd;
    noise = NOISE_MEMORY * noise + NOISE_INNOVATION * sd * rng.normal();
    powerCw[k] = Math.min(capCw, Math.round(Math.max(floor, meanW + noise) * 100));
    if (segment) job[k] = segment.job;
  }
  return { device, powerCw, job };
}
