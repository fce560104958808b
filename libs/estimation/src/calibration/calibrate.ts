import { defaultCoefficients, DEFAULT_THETA } from '../energy/coefficients';
import { costRun, type Features, type RunCosts } from '../energy/run-costs';
import { runContext, type CalibratedScales } from '../energy/run-context';
import { coverage, DEFAULT_SPREAD, MIN_OBSERVATIONS_FOR_SPREAD, spreadFromRatios } from '../forecast/spreads';
import { parseOrThrow, SpecError, type InputProblem } from '../problems';
import { prepareSpec, type PreparedSpec } from '../spec/prepare';
import {
  CALIBRATION_VERSION,
  CalibrationFile,
  Observation,
  type FitCore,
  type PooledCalibration,
  type ProfileCalibration,
} from './calibration.schema';
import { nnls } from './nnls';

const J_PER_KWH = 3.6e6;
/** Pulls poorly supported multipliers gently back to the datasheet defaults (1). */
const RIDGE = 1e-12;
const THETA_RANGE: [number, number] = [0.3, 30];

/** One observation, prepared: what was measured and the model's features of the same run. */
interface Row {
  prepared: PreparedSpec;
  measuredJ: number;
  /** Measured wall time, s; undefined when the observation gave neither a duration nor device-hours. */
  durationS?: number;
  training: Features;
  inference: Features;
  trains: boolean;
  /** θ the observation's spec fixes; undefined when θ is fitted. */
  fixedTheta?: number;
}

function prepareRow(input: unknown, label: string): Row {
  const obs = (() => {
    try {
      return parseOrThrow(Observation, input);
    } catch (error) {
      throw error instanceof SpecError ? error.under(label) : error;
    }
  })();
  let prepared: PreparedSpec;
  try {
    prepared = prepareSpec(obs.spec);
  } catch (error) {
    throw error instanceof SpecError ? error.under(`${label}.spec`) : error;
  }
  if (prepared.spec.model.inferenceJ !== undefined) {
    throw new SpecError([
      {
        path: `${label}.spec.model`,
        message: 'got a measured inferenceJ, which carries no architecture to fit; expected layers, flopsPerSample or transformer',
      },
    ]);
  }
  const { durationS, deviceHours } = obs.measured;
  const count = prepared.spec.hardware.count;
  const costs = costRun(prepared, contextOf(prepared));
  return {
    prepared,
    measuredJ: obs.measured.energyKWh * J_PER_KWH,
    durationS: durationS ?? (deviceHours !== undefined ? (deviceHours * 3600) / count : undefined),
    training: costs.trainingFeatures,
    inference: costs.inferenceFeatures,
    trains: Boolean(prepared.spec.training),
    fixedTheta: prepared.spec.training?.theta,
  };
}

function contextOf(p: PreparedSpec, fit?: CalibratedScales) {
  return runContext(
    {
      profile: p.profile,
      precision: p.precision,
      count: p.spec.hardware.count,
      utilization: p.utilization,
      busyW: p.busyW,
      goodput: p.goodput,
    },
    fit,
  );
}

const thetaOf = (row: Row, theta: number) => row.fixedTheta ?? theta;

/** The modelled duration of a row before calibration, at a given θ (training is θ forward passes). */
function modelledDurationS(row: Row, theta: number): number {
  return row.trains ? thetaOf(row, theta) * row.training.timeS : row.inference.timeS;
}

/** Geometric mean of measured over modelled duration, over the rows that have one (1 when none has). */
function durationScaleAt(rows: Row[], theta: number): number {
  const timed = rows.filter((r) => r.durationS !== undefined && modelledDurationS(r, theta) > 0);
  if (timed.length === 0) return 1;
  return Math.exp(timed.reduce((s, r) => s + Math.log((r.durationS as number) / modelledDurationS(r, theta)), 0) / timed.length);
}

interface ScaleFit {
  scale: { alpha: number; beta: number; gamma: number };
  idleScale: number;
  durationScale: number;
  sse: number;
}

/**
 * NNLS on relative error (each row divided by its measured energy) for the multipliers of α, β, γ
 * and of the idle term. A row with a measured duration has its idle energy taken off the target;
 * a row without one leaves the idle term's scale as one more non-negative unknown.
 */
function fitScale(rows: Row[], theta: number): ScaleFit {
  const durationScale = durationScaleAt(rows, theta);
  const a: number[][] = [];
  const b: number[] = [];
  for (const row of rows) {
    const t = thetaOf(row, theta);
    const terms = (['alpha', 'beta', 'gamma'] as const).map((k) => t * row.training[k] + row.inference[k]);
    const count = row.prepared.spec.hardware.count;
    let idle = 0;
    let target = row.measuredJ;
    if (row.durationS !== undefined) target -= row.prepared.profile.idleW.value * count * row.durationS;
    else idle = (t * row.training.idle + row.inference.idle) * durationScale;
    a.push([...terms, idle].map((v) => v / row.measuredJ));
    b.push(target / row.measuredJ);
  }
  const ridge = Math.sqrt(RIDGE);
  for (let j = 0; j < 4; j++) {
    a.push([0, 1, 2, 3].map((k) => (k === j ? ridge : 0)));
    b.push(ridge);
  }
  const [alpha, beta, gamma, idleScale] = nnls(a, b);
  const sse = a.reduce((s, row, i) => s + (row[0] * alpha + row[1] * beta + row[2] * gamma + row[3] * idleScale - b[i]) ** 2, 0);
  const anyUntimed = rows.some((r) => r.durationS === undefined);
  return { scale: { alpha, beta, gamma }, idleScale: anyUntimed ? idleScale : 1, durationScale, sse };
}

const isZero = (c: Features) => c.alpha === 0 && c.beta === 0 && c.gamma === 0;

/**
 * θ is identifiable only when some observations are forward-only (inference) and some train with
 * a free θ; otherwise it stays at its default and the fit folds it into α, β, γ.
 */
function fitTheta(rows: Row[]): { theta: number; fitted: boolean } {
  const forwardOnly = rows.some((r) => isZero(r.training) && !isZero(r.inference));
  const freeTraining = rows.some((r) => !isZero(r.training) && r.fixedTheta === undefined);
  if (!forwardOnly || !freeTraining) return { theta: DEFAULT_THETA, fitted: false };
  const [lo, hi] = THETA_RANGE.map(Math.log);
  const sseAt = (logTheta: number) => fitScale(rows, Math.exp(logTheta)).sse;
  // Coarse scan, then golden-section search inside the best bracket.
  const steps = 60;
  let bestI = 0;
  let bestSse = Infinity;
  for (let i = 0; i <= steps; i++) {
    const sse = sseAt(lo + ((hi - lo) * i) / steps);
    if (sse < bestSse) [bestI, bestSse] = [i, sse];
  }
  let a = lo + ((hi - lo) * Math.max(0, bestI - 1)) / steps;
  let b = lo + ((hi - lo) * Math.min(steps, bestI + 1)) / steps;
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = sseAt(c);
  let fd = sseAt(d);
  for (let k = 0; k < 100 && b - a > 1e-12; k++) {
    if (fc < fd) {
      [b, d, fd] = [d, c, fc];
      c = b - g * (b - a);
      fc = sseAt(c);
    } else {
      [a, c, fc] = [c, d, fd];
      d = a + g * (b - a);
      fd = sseAt(d);
    }
  }
  return { theta: Math.exp((a + b) / 2), fitted: true };
}

function predictedJ(costs: RunCosts): number {
  return (costs.search?.energyJ.p50 ?? 0) + costs.training.energyJ + costs.inference.energyJ;
}

/**
 * The fit of a group of rows, with its in-sample error, interval and coverage. Under
 * MIN_OBSERVATIONS_FOR_SPREAD rows the residuals say nothing of the spread: the widest default is
 * recorded, and forecasts use their own kind's default instead.
 */
function fitRows(rows: Row[]): FitCore {
  const { theta, fitted } = fitTheta(rows);
  const { scale, idleScale, durationScale } = fitScale(rows, theta);
  const predictions = rows.map((row) =>
    costRun(row.prepared, contextOf(row.prepared, { scale, theta: thetaOf(row, theta), durationScale, idleScale })),
  );
  const energyRatios = rows.map((row, i) => row.measuredJ / predictedJ(predictions[i]));
  const mape = energyRatios.reduce((s, r) => s + Math.abs(1 / r - 1), 0) / rows.length;
  const spread = rows.length >= MIN_OBSERVATIONS_FOR_SPREAD ? spreadFromRatios(energyRatios) : DEFAULT_SPREAD.layers;
  return {
    observations: rows.length,
    withDuration: rows.filter((r) => r.durationS !== undefined).length,
    mape,
    coverage: coverage(energyRatios, spread),
    theta,
    thetaFitted: fitted,
    scale,
    durationScale,
    idleScale,
    spread,
  };
}

function fitProfile(rows: Row[]): ProfileCalibration {
  const fit = fitRows(rows);
  const profile = rows[0].prepared.profile;
  const base = defaultCoefficients(profile, profile.defaultPrecision);
  return {
    ...fit,
    alpha: base.alpha * fit.scale.alpha,
    beta: base.beta * fit.scale.beta,
    gamma: base.gamma * fit.scale.gamma,
    precision: profile.defaultPrecision,
  };
}

/**
 * Fits α, β, γ (as multipliers of the datasheet defaults), the idle term and θ per hardware profile
 * from measured runs, by non-negative least squares on relative error, and the same over every
 * observation at once (`pooled`, used for profiles the file does not name). Each fit carries its
 * in-sample MAPE, its p10–p90 spread and the share of observations that spread covers. Pure: the
 * CLI's `calibrate` and the collector's calibration from the ledger call it alike. `labels` name
 * each observation in errors (e.g. `runs.jsonl:3`); indices are used otherwise.
 */
export function calibrate(observations: readonly unknown[], labels?: readonly string[]): CalibrationFile {
  const problems: InputProblem[] = [];
  const rows: Row[] = [];
  observations.forEach((obs, i) => {
    try {
      rows.push(prepareRow(obs, labels?.[i] ?? String(i)));
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      problems.push(...error.problems);
    }
  });
  if (observations.length === 0) problems.push({ path: '(root)', message: 'got no observations; expected at least one measured run' });
  if (problems.length > 0) throw new SpecError(problems);
  const byProfile = new Map<string, Row[]>();
  for (const row of rows) byProfile.set(row.prepared.profile.id, [...(byProfile.get(row.prepared.profile.id) ?? []), row]);
  const profiles: Record<string, ProfileCalibration> = {};
  for (const [id, group] of byProfile) profiles[id] = fitProfile(group);
  const pooled: PooledCalibration = { ...fitRows(rows), profiles: [...byProfile.keys()] };
  return { version: CALIBRATION_VERSION, profiles, pooled };
}

/** Reads a calibration file's contents (e.g. from `--calibration`), reporting every bad field. */
export function parseCalibration(input: unknown): CalibrationFile {
  return parseOrThrow(CalibrationFile, input);
}
