import { IDLE_JOB_ID } from '@wattprint/db';
import type { Sample } from '@wattprint/protocol';
import { HOUR_MS, MINUTE_MS } from '@wattprint/carbon';

/** What one sample (or the part of it inside one minute) adds to one energy bucket. */
export interface BucketDelta {
  jobId: string;
  node: string;
  device: string;
  deviceKind: Sample['kind'];
  minuteStart: number;
  joules: number;
  samples: number;
  durationMs: number;
  peakPowerW: number | null;
}

/**
 * Splits a sample over the minutes its [t0, t1) interval touches, sharing its energy in proportion
 * to the time spent in each: a 2 s sample from 59 s to 61 s gives half its joules to each minute.
 * The sample is counted (samples += 1) in the minute where it starts, so counts add up to the
 * number of samples received.
 */
export function splitSampleByMinute(sample: Sample, node: string): BucketDelta[] {
  const jobId = sample.jobId ?? IDLE_JOB_ID;
  const duration = sample.t1 - sample.t0;
  const firstMinute = Math.floor(sample.t0 / MINUTE_MS) * MINUTE_MS;
  const piece = (minuteStart: number, joules: number, samples: number, durationMs: number): BucketDelta => ({
    jobId,
    node,
    device: sample.device,
    deviceKind: sample.kind,
    minuteStart,
    joules,
    samples,
    durationMs,
    peakPowerW: sample.powerW,
  });
  if (sample.t1 <= firstMinute + MINUTE_MS) return [piece(firstMinute, sample.energyJ, 1, duration)];
  const pieces: BucketDelta[] = [];
  for (let minute = firstMinute; minute < sample.t1; minute += MINUTE_MS) {
    const from = Math.max(sample.t0, minute);
    const to = Math.min(sample.t1, minute + MINUTE_MS);
    pieces.push(piece(minute, (sample.energyJ * (to - from)) / duration, minute === firstMinute ? 1 : 0, to - from));
  }
  return pieces;
}

/** True when a sample lies inside one minute ([t0, t1) may end exactly on the next boundary). */
export function withinOneMinute(t0: number, t1: number): boolean {
  return t1 <= Math.floor(t0 / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
}

export function hourOf(minuteStart: number): number {
  return Math.floor(minuteStart / HOUR_MS) * HOUR_MS;
}
