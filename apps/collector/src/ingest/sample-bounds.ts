/**
 * What a sample may claim before it reaches the ledger. The schema checks form (integers, finite,
 * non-negative); these bounds check sense, against the collector's clock and physics, so one signed
 * sample can neither be split into millions of minute buckets nor push a total to Infinity.
 */
export interface SampleBounds {
  /** No time before this (epoch ms). Default 2000-01-01T00:00:00Z. */
  earliestMs: number;
  /** No time later than the collector's clock plus this. Default 1 h. */
  maxAheadMs: number;
  /** One sample spans at most this (t1 − t0). Default 10 min, at most 11 minute buckets. */
  maxSpanMs: number;
  /** A device draws at most this on average over a sample: energyJ ≤ maxPowerW × span. Default 5 kW. */
  maxPowerW: number;
  /**
   * No sample starting longer ago than this (ms; undefined: no limit). Set from the batch-key
   * retention: a batch older than the keys kept could no longer be recognised as a duplicate.
   */
  maxAgeMs?: number;
}

export const DEFAULT_SAMPLE_BOUNDS: SampleBounds = {
  earliestMs: Date.UTC(2000, 0, 1),
  maxAheadMs: 3_600_000,
  maxSpanMs: 600_000,
  maxPowerW: 5_000,
};

/** A dead letter lists this many problems, then says how many more there were. */
const MAX_LISTED = 10;

interface BoundedSample {
  t0: number;
  t1: number;
  energyJ: number;
}

const iso = (ms: number): string => (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms));

/** The window of times the bounds allow at `now`. */
export function timeWindow(bounds: SampleBounds, now: number): { from: number; to: number } {
  return { from: bounds.earliestMs, to: now + bounds.maxAheadMs };
}

/** One line naming the field, its value and the bound, or null when `ms` is inside the window. */
export function timeProblem(path: string, ms: number, bounds: SampleBounds, now: number): string | null {
  const { from, to } = timeWindow(bounds, now);
  if (ms < from) return `${path}: got ${ms} (${iso(ms)}); expected no earlier than ${iso(from)}`;
  if (ms > to)
    return `${path}: got ${ms} (${iso(ms)}); expected no later than ${iso(to)} (the collector's clock + ${bounds.maxAheadMs} ms)`;
  return null;
}

/** A sample older than the batch keys kept: it could be a duplicate of a batch whose key is gone. */
function tooOld(path: string, ms: number, oldest: number): string {
  return (
    `${path}: got ${ms} (${iso(ms)}); expected no earlier than ${iso(oldest)}: batch keys are kept ` +
    `WATTPRINT_BATCH_KEY_RETENTION_DAYS, and an older batch could be one already counted`
  );
}

/**
 * Every bound a batch breaks, one line each (path, value, bound), at most MAX_LISTED and a count of
 * the rest; empty when it keeps them all. Cheap enough for every batch: a few comparisons a sample.
 */
export function boundProblems(batch: { sentAt: number; samples: readonly BoundedSample[] }, bounds: SampleBounds, now: number): string[] {
  const problems: string[] = [];
  let more = 0;
  const add = (line: string | null) => {
    if (line === null) return;
    if (problems.length < MAX_LISTED) problems.push(line);
    else more++;
  };
  const to = now + bounds.maxAheadMs;
  const oldest = bounds.maxAgeMs === undefined ? bounds.earliestMs : Math.max(bounds.earliestMs, now - bounds.maxAgeMs);
  add(timeProblem('sentAt', batch.sentAt, bounds, now));
  for (let i = 0; i < batch.samples.length; i++) {
    const { t0, t1, energyJ } = batch.samples[i];
    // the common case in two comparisons; the lines are built only for a sample that fails
    if (t0 < oldest) add(t0 < bounds.earliestMs ? timeProblem(`samples.${i}.t0`, t0, bounds, now) : tooOld(`samples.${i}.t0`, t0, oldest));
    if (t1 > to) add(timeProblem(`samples.${i}.t1`, t1, bounds, now));
    const span = t1 - t0;
    if (span > bounds.maxSpanMs) add(`samples.${i}.t1: the sample spans ${span} ms from t0; expected at most ${bounds.maxSpanMs} ms`);
    else if (energyJ > (bounds.maxPowerW * span) / 1000) {
      const watts = (energyJ / span) * 1000;
      add(
        `samples.${i}.energyJ: got ${energyJ} J over ${span} ms (${watts.toPrecision(4)} W); ` +
          `expected at most ${bounds.maxPowerW} W for the span, ${(bounds.maxPowerW * span) / 1000} J`,
      );
    }
  }
  if (more > 0) problems.push(`... and ${more} more`);
  return problems;
}
