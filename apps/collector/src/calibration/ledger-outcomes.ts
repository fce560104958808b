import { z } from 'zod';

/** An ended job launched from a forecast, beside what the ledger measured of it. */
export interface LedgerOutcome {
  jobId: string;
  forecastId: string;
  team: string | null;
  endedAt: number;
  /** started_at (else first seen) to ended_at, ms. */
  durationMs: number;
  /** Every device the job's energy was booked on (GPU, CPU, DRAM): the IT energy it measured. */
  measuredKWh: number;
  /** Distinct (node, GPU) pairs the job drew energy on; 0 when none was a GPU. */
  gpus: number;
  /** A seq gap of one of its nodes overlaps its span: samples may be missing, so it is no observation. */
  energyMissing: boolean;
  /** The forecast's run spec, as stored. */
  spec: unknown;
  /** The forecast's energy interval as it was forecast. */
  forecastKWh: { p10: number; p50: number; p90: number } | null;
  profile: string;
}

const StoredResult = z.object({ energyKWh: z.object({ p10: z.number(), p50: z.number(), p90: z.number() }) });
const SpecProfile = z.object({ hardware: z.object({ profile: z.string() }) });

export function parseStored(
  specText: string,
  resultText: string,
): { spec: unknown; profile: string; forecastKWh: LedgerOutcome['forecastKWh'] } {
  let spec: unknown = null;
  let profile = 'unknown';
  let forecastKWh: LedgerOutcome['forecastKWh'] = null;
  try {
    spec = JSON.parse(specText);
    const p = SpecProfile.safeParse(spec);
    if (p.success) profile = p.data.hardware.profile;
  } catch {
    spec = null;
  }
  try {
    const r = StoredResult.safeParse(JSON.parse(resultText));
    if (r.success) forecastKWh = r.data.energyKWh;
  } catch {
    forecastKWh = null;
  }
  return { spec, profile, forecastKWh };
}

/** A job the ledger can learn from: energy complete, something measured, a stored spec, a duration. */
export function isUsable(o: LedgerOutcome): boolean {
  return !o.energyMissing && o.measuredKWh > 0 && o.spec !== null && typeof o.spec === 'object' && o.durationMs > 0;
}

/**
 * The observation of `wattprint calibrate` (spec-format.md) a job makes: its forecast's spec with the
 * device count it really ran on and without site and start (carbon does not enter a fit of IT
 * energy, and the ledger's calibration must not depend on a region's series), the IT energy it
 * measured and its wall time.
 */
export function observationOf(o: LedgerOutcome): { spec: Record<string, unknown>; measured: { energyKWh: number; durationS: number } } {
  const { site: _site, start: _start, ...rest } = o.spec as Record<string, unknown>;
  const hardware = { ...(rest.hardware as Record<string, unknown>) };
  if (o.gpus > 0) hardware.count = o.gpus;
  return { spec: { ...rest, hardware }, measured: { energyKWh: o.measuredKWh, durationS: o.durationMs / 1000 } };
}

export interface AccuracySummary {
  count: number;
  /** Mean of |forecast p50 − measured| / measured (0.1 = 10 %); null with no jobs. */
  mape: number | null;
  /** Share of jobs whose measured energy lies within the forecast's p10–p90; null with no jobs. */
  coverage: number | null;
}

export function summarize(outcomes: readonly LedgerOutcome[]): AccuracySummary {
  const scored = outcomes.filter((o) => o.forecastKWh !== null && o.measuredKWh > 0);
  if (scored.length === 0) return { count: 0, mape: null, coverage: null };
  let ape = 0;
  let within = 0;
  for (const o of scored) {
    const f = o.forecastKWh as NonNullable<LedgerOutcome['forecastKWh']>;
    ape += Math.abs(f.p50 - o.measuredKWh) / o.measuredKWh;
    if (o.measuredKWh >= f.p10 && o.measuredKWh <= f.p90) within += 1;
  }
  return { count: scored.length, mape: ape / scored.length, coverage: within / scored.length };
}
