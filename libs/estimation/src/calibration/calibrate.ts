import { defaultCoefficients, DEFAULT_THETA } from '../energy/coefficients';
import { costRun, type RunCosts } from '../energy/run-costs';
import { runContext, type Components } from '../energy/run-context';
import { runDurationS } from '../forecast/forecast';
import { DEFAULT_DURATION_SPREAD, DEFAULT_ENERGY_SPREAD, MIN_OBSERVATIONS_FOR_SPREAD, spreadFromRatios } from '../forecast/spreads';
import { parseOrThrow, SpecError, type InputProblem } from '../problems';
import { prepareSpec, type PreparedSpec } from '../spec/prepare';
import { CalibrationFile, Observation, type ProfileCalibration } from './calibration.schema';
import { nnls } from './nnls';

const J_PER_KWH = 3.6e6;
/** Pulls poorly supported multipliers gently back to the datasheet defaults (1). */
const RIDGE = 1e-12;
const THETA_RANGE: [number, number] = [0.3, 30];

interface Row {
  prepared: PreparedSpec;
  measuredJ: number;
  durationS: number;
  training: Components;
  inference: Components;
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
  const costs = costRun(prepared, uncalibratedContext(prepared));
  return {
    prepared,
    measuredJ: obs.measured.energyKWh * J_PER_KWH,
    durationS: obs.measured.durationS,
    training: costs.trainingFeatures,
    inference: costs.inferenceFeatures,
    fixedTheta: prepared.spec.training?.theta,
  };
}

function uncalibratedContext(p: PreparedSpec, fit?: { scale: Components; theta: number; durationScale: number }) {
  return runContext(p.profile, p.precision, p.spec.hardware.count, p.utilization, fit);
}

const vec = (c: Components) => [c.alpha, c.beta, c.gamma];

/** Dynamic energy left after the idle power over the measured duration is taken off. */
function dynamicMeasured(row: Row): number {
  return row.measuredJ - row.prepared.profile.idleW.value * row.prepared.spec.hardware.count * row.durationS;
}

/** NNLS on relative error: each row divided by its measured energy. */
function fitScale(rows: Row[], theta: number): { scale: Components; sse: number } {
  const a: number[][] = [];
  const b: number[] = [];
  for (const row of rows) {
    const t = row.fixedTheta ?? theta;
    const features = vec(row.training).map((v, j) => (t * v + vec(row.inference)[j]) / row.measuredJ);
    a.push(features);
    b.push(dynamicMeasured(row) / row.measuredJ);
  }
  const ridge = Math.sqrt(RIDGE);
  for (let j = 0; j < 3; j++) {
    a.push([0, 1, 2].map((k) => (k === j ? ridge : 0)));
    b.push(ridge);
  }
  const [alpha, beta, gamma] = nnls(a, b);
  const scale = { alpha, beta, gamma };
  const sse = a.reduce((s, row, i) => s + (row[0] * alpha + row[1] * beta + row[2] * gamma - b[i]) ** 2, 0);
  return { scale, sse };
}

const isZero = (c: Components) => c.alpha === 0 && c.beta === 0 && c.gamma === 0;

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

function predicted(costs: RunCosts, trains: boolean): { energyJ: number; durationS: number } {
  return {
    energyJ: (costs.search?.energyJ.p50 ?? 0) + costs.training.energyJ + costs.inference.energyJ,
    durationS: runDurationS(costs, trains),
  };
}

function fitProfile(rows: Row[]): ProfileCalibration {
  const { theta, fitted } = fitTheta(rows);
  const { scale } = fitScale(rows, theta);
  const withFit = (row: Row, durationScale: number) =>
    predicted(
      costRun(row.prepared, uncalibratedContext(row.prepared, { scale, theta: row.fixedTheta ?? theta, durationScale })),
      Boolean(row.prepared.spec.training),
    );
  const durationRatios = rows.map((row) => row.durationS / Math.max(1e-12, withFit(row, 1).durationS));
  const durationScale = Math.exp(durationRatios.reduce((s, r) => s + Math.log(r), 0) / rows.length);
  const predictions = rows.map((row) => withFit(row, durationScale));
  const energyRatios = rows.map((row, i) => row.measuredJ / predictions[i].energyJ);
  const mape = rows.reduce((s, row, i) => s + Math.abs(predictions[i].energyJ - row.measuredJ) / row.measuredJ, 0) / rows.length;
  const enough = rows.length >= MIN_OBSERVATIONS_FOR_SPREAD;
  const profile = rows[0].prepared.profile;
  const base = defaultCoefficients(profile, profile.defaultPrecision);
  return {
    observations: rows.length,
    mape,
    alpha: base.alpha * scale.alpha,
    beta: base.beta * scale.beta,
    gamma: base.gamma * scale.gamma,
    theta,
    thetaFitted: fitted,
    precision: profile.defaultPrecision,
    scale,
    durationScale,
    energySpread: enough ? spreadFromRatios(energyRatios) : DEFAULT_ENERGY_SPREAD.layers,
    durationSpread: enough ? spreadFromRatios(durationRatios.map((r) => r / durationScale)) : DEFAULT_DURATION_SPREAD,
  };
}

/**
 * Fits α, β, γ (as multipliers of the datasheet defaults) and θ per hardware profile from measured
 * runs, by non-negative least squares on relative error. `labels` name each observation in errors
 * (e.g. `runs.jsonl:3`); indices are used otherwise.
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
  return { version: 1, profiles };
}

/** Reads a calibration file's contents (e.g. from `--calibration`), reporting every bad field. */
export function parseCalibration(input: unknown): CalibrationFile {
  return parseOrThrow(CalibrationFile, input);
}
