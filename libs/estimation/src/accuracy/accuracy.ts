import { calibrate } from '../calibration/calibrate';
import type { SampleModel } from '../energy/work';
import { forecast } from '../forecast/forecast';
import type { ForecastResult } from '../forecast/result';
import { spreadFromRatios, type Spread } from '../forecast/spreads';
import { parseOrThrow, SpecError, type InputProblem } from '../problems';
import type { Quantiles } from '../search/quantiles';
import { prepareSpec, sampleModel, type PreparedSpec } from '../spec/prepare';
import { ReferenceFamily } from './reference.schema';

/** The accuracy targets of issue #11: what `wattprint accuracy` checks and its test asserts. */
export const ACCURACY_TARGETS = {
  /** Share of the set whose measured energy lies within the uncalibrated p10–p90. */
  coverage: 0.8,
  /** Leave-one-out calibrated MAPE within each family of at least LOO_MIN_RUNS runs. */
  looMape: 0.1,
};
/** A family needs this many runs for leave-one-out: one to predict, at least two to fit. */
export const LOO_MIN_RUNS = 3;

export interface RunAccuracy {
  family: string;
  id: string;
  name: string;
  kind: SampleModel['kind'];
  profile: string;
  generation: string;
  /** Training FLOPs as the model counts them (θ × forward FLOPs × samples × epochs). */
  trainingFlops: number;
  /** Measured IT energy, kWh (a facility figure divided by the spec's PUE). */
  measuredKWh: number;
  /** Uncalibrated forecast of IT energy. */
  forecastKWh: Quantiles;
  /** measured / forecast p50. */
  ratio: number;
  inside: boolean;
  deviceHours?: { measured: number; forecast: number; ratio: number };
  /** The forecast after calibrating on the other runs of the family (families of LOO_MIN_RUNS runs or more). */
  loo?: { forecastKWh: number; ratio: number; basis: ForecastResult['calibration']['basis'] };
}

export interface ErrorSummary {
  runs: number;
  /** Mean absolute percentage error of the uncalibrated p50 (0.1 = 10 %). */
  uncalibratedMape: number;
  /** Median of measured / forecast: above 1, the forecasts run low. */
  medianRatio: number;
  /** Share of runs whose measured energy lies within the uncalibrated p10–p90. */
  coverage: number;
  /** Leave-one-out calibrated MAPE; null where no run could be left out (families under LOO_MIN_RUNS). */
  looMape: number | null;
  looRuns: number;
  deviceHoursMape: number | null;
}

export interface FamilyAccuracy extends ErrorSummary {
  family: string;
  title: string;
  source: string;
  covers: ReferenceFamily['covers'];
}

export interface AccuracyReport {
  targets: typeof ACCURACY_TARGETS;
  runs: RunAccuracy[];
  families: FamilyAccuracy[];
  overall: ErrorSummary & { generations: string[]; trainingFlops: { min: number; max: number } };
  /** The p10–p90 of measured over forecast that the set supports, per way of describing the model: what DEFAULT_SPREAD is set from. */
  spreadByKind: Partial<Record<SampleModel['kind'], { runs: number; spread: Spread }>>;
}

const ape = (forecastValue: number, measured: number) => Math.abs(forecastValue / measured - 1);
const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[Math.floor(mid)];
}

function kindOf(p: PreparedSpec): SampleModel['kind'] {
  const m = p.spec.model;
  if (m.layers) return 'layers';
  if (m.flopsPerSample !== undefined) return 'flops';
  if (m.transformer) return 'transformer';
  return 'measured';
}

function trainingFlopsOf(p: PreparedSpec): number {
  if (!p.spec.training) return 0;
  const m = sampleModel(p, {});
  return (p.spec.training.theta ?? 3) * m.flops * (p.spec.training.samples as number) * p.spec.training.epochs;
}

/** Measured IT energy of a run, kWh; a facility figure needs the spec's PUE. */
function measuredItKWh(run: ReferenceFamily['runs'][number], p: PreparedSpec, at: string, problems: InputProblem[]): number {
  if (run.measured.energyKWh) return run.measured.energyKWh.value;
  const pue = p.spec.site?.pue;
  if (pue === undefined) {
    problems.push({ path: `${at}.spec.site.pue`, message: 'missing; expected the PUE that measured.facilityEnergyKWh includes' });
    return NaN;
  }
  return (run.measured.facilityEnergyKWh?.value ?? NaN) / pue;
}

interface Prepared {
  family: ReferenceFamily;
  run: ReferenceFamily['runs'][number];
  prepared: PreparedSpec;
  measuredKWh: number;
  deviceHours?: number;
  durationS?: number;
}

function observationOf(r: Prepared) {
  return {
    spec: r.run.spec,
    measured: {
      energyKWh: r.measuredKWh,
      ...(r.durationS !== undefined ? { durationS: r.durationS } : r.deviceHours !== undefined ? { deviceHours: r.deviceHours } : {}),
    },
  };
}

function summarise(runs: RunAccuracy[]): ErrorSummary {
  const loo = runs.filter((r) => r.loo);
  const timed = runs.filter((r) => r.deviceHours);
  return {
    runs: runs.length,
    uncalibratedMape: mean(runs.map((r) => ape(r.forecastKWh.p50, r.measuredKWh))),
    medianRatio: median(runs.map((r) => r.ratio)),
    coverage: runs.filter((r) => r.inside).length / runs.length,
    looMape: loo.length ? mean(loo.map((r) => ape(r.loo?.forecastKWh ?? NaN, r.measuredKWh))) : null,
    looRuns: loo.length,
    deviceHoursMape: timed.length ? mean(timed.map((r) => ape(r.deviceHours?.forecast ?? NaN, r.deviceHours?.measured ?? NaN))) : null,
  };
}

/**
 * Forecasts every run of the reference set uncalibrated, and again calibrated on the other runs of
 * its family (leave-one-out), and summarises the errors per family and overall. `documents` are the
 * parsed reference files, `labels` their names for errors. Pure: the CLI reads the files.
 */
export function accuracyReport(documents: readonly unknown[], labels?: readonly string[]): AccuracyReport {
  const problems: InputProblem[] = [];
  const prepared: Prepared[] = [];
  const families: ReferenceFamily[] = [];
  documents.forEach((doc, i) => {
    const label = labels?.[i] ?? String(i);
    let family: ReferenceFamily;
    try {
      family = parseOrThrow(ReferenceFamily, doc);
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      problems.push(...error.under(label).problems);
      return;
    }
    families.push(family);
    family.runs.forEach((run, j) => {
      const at = `${label}.runs.${j}`;
      try {
        const p = prepareSpec(run.spec);
        const count = p.spec.hardware.count;
        const durationH = run.measured.durationH?.value;
        prepared.push({
          family,
          run,
          prepared: p,
          measuredKWh: measuredItKWh(run, p, at, problems),
          deviceHours: run.measured.deviceHours?.value ?? (durationH !== undefined ? durationH * count : undefined),
          durationS: durationH !== undefined ? durationH * 3600 : undefined,
        });
      } catch (error) {
        if (!(error instanceof SpecError)) throw error;
        problems.push(...error.under(`${at}.spec`).problems);
      }
    });
  });
  const names = new Set<string>();
  families.forEach((f) => {
    if (names.has(f.family)) problems.push({ path: f.family, message: 'got a family name twice; expected one file per family' });
    names.add(f.family);
    const ids = new Set<string>();
    for (const run of f.runs) {
      if (ids.has(run.id))
        problems.push({ path: `${f.family}/${run.id}`, message: 'got a run id twice in one family; expected unique ids' });
      ids.add(run.id);
    }
  });
  if (problems.length) throw new SpecError(problems);

  const runs: RunAccuracy[] = prepared.map((r) => {
    const f = forecast(r.run.spec);
    const e = f.energyKWh;
    return {
      family: r.family.family,
      id: r.run.id,
      name: r.run.name,
      kind: kindOf(r.prepared),
      profile: r.prepared.profile.id,
      generation: r.prepared.profile.generation,
      trainingFlops: trainingFlopsOf(r.prepared),
      measuredKWh: r.measuredKWh,
      forecastKWh: e,
      ratio: r.measuredKWh / e.p50,
      inside: r.measuredKWh >= e.p10 && r.measuredKWh <= e.p90,
      deviceHours:
        r.deviceHours !== undefined
          ? { measured: r.deviceHours, forecast: f.deviceHours.p50, ratio: r.deviceHours / f.deviceHours.p50 }
          : undefined,
    };
  });

  for (const family of families) {
    const members = prepared.filter((r) => r.family === family);
    if (members.length < LOO_MIN_RUNS) continue;
    members.forEach((left) => {
      const calibration = calibrate(members.filter((r) => r !== left).map(observationOf));
      const f = forecast(left.run.spec, { calibration });
      const run = runs[prepared.indexOf(left)];
      run.loo = { forecastKWh: f.energyKWh.p50, ratio: left.measuredKWh / f.energyKWh.p50, basis: f.calibration.basis };
    });
  }

  const spreadByKind: AccuracyReport['spreadByKind'] = {};
  for (const kind of new Set(runs.map((r) => r.kind))) {
    const ratios = runs.filter((r) => r.kind === kind).map((r) => r.ratio);
    spreadByKind[kind] = { runs: ratios.length, spread: spreadFromRatios(ratios) };
  }
  const flops = runs.map((r) => r.trainingFlops).filter((v) => v > 0);
  return {
    targets: ACCURACY_TARGETS,
    runs,
    families: families.map((family) => ({
      family: family.family,
      title: family.title,
      source: family.source,
      covers: family.covers,
      ...summarise(runs.filter((r) => r.family === family.family)),
    })),
    overall: {
      ...summarise(runs),
      generations: [...new Set(runs.map((r) => r.generation))],
      trainingFlops: { min: Math.min(...flops), max: Math.max(...flops) },
    },
    spreadByKind,
  };
}

export interface TargetCheck {
  coverage: { value: number; target: number; met: boolean };
  /** One entry per family of LOO_MIN_RUNS runs or more. */
  loo: { family: string; value: number; target: number; met: boolean }[];
  met: boolean;
}

/** The report against ACCURACY_TARGETS: coverage over the whole set, leave-one-out MAPE within each family that has one. */
export function checkTargets(report: AccuracyReport): TargetCheck {
  const coverage = {
    value: report.overall.coverage,
    target: report.targets.coverage,
    met: report.overall.coverage >= report.targets.coverage,
  };
  const loo = report.families
    .filter((f) => f.looMape !== null)
    .map((f) => ({
      family: f.family,
      value: f.looMape as number,
      target: report.targets.looMape,
      met: (f.looMape as number) <= report.targets.looMape,
    }));
  return { coverage, loo, met: coverage.met && loo.every((l) => l.met) };
}
