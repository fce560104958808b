import { bestStartHour, type IntensitySeries, type StartChoice } from '../carbon/intensity';
import type { CalibrationFile, FitCore } from '../calibration/calibration.schema';
import { costRun, type RunCosts } from '../energy/run-costs';
import { runContext, type CalibratedScales } from '../energy/run-context';
import type { SampleModel } from '../energy/work';
import type { Quantiles } from '../search/quantiles';
import { compareStrategies, type StrategyOutcome } from '../search/what-if';
import { DEFAULT_BATCH_SIZE, prepareSpec, type PreparedSpec } from '../spec/prepare';
import { co2eqKg, DEFAULT_INTENSITY, DEFAULT_PUE, intensities, type CarbonInputs } from './carbon';
import type { ForecastResult } from './result';
import { DEFAULT_SPREAD, MIN_OBSERVATIONS_FOR_SPREAD, type Spread } from './spreads';
import { suggestionsFor } from './suggestions';
import { sig } from './units';

const J_PER_KWH = 3.6e6;
const HOUR_MS = 3_600_000;

export interface ForecastOptions {
  /** From `wattprint calibrate`: the spec's profile's fit when the file has one, else the file's pooled fit. */
  calibration?: CalibrationFile;
  /** Hourly intensity series by region, for specs that name site.region. */
  intensity?: Readonly<Record<string, IntensitySeries>>;
}

/** A forecast with what a person reading it wants beside the numbers. */
export interface ForecastExplanation {
  result: ForecastResult;
  costs: RunCosts;
  /** The same search under every strategy (empty without a search). */
  whatIf: StrategyOutcome[];
  /** The start in the series' window that emits least (with a region series only). */
  bestStart?: StartChoice & { co2eqKg: number };
  suggestions: string[];
}

function modelKind(p: PreparedSpec): SampleModel['kind'] {
  const m = p.spec.model;
  if (m.layers) return 'layers';
  if (m.flopsPerSample !== undefined) return 'flops';
  if (m.transformer) return 'transformer';
  return 'measured';
}

function carbonInputs(p: PreparedSpec, options: ForecastOptions, assumptions: string[]): CarbonInputs {
  const site = p.spec.site ?? {};
  const pue = site.pue ?? DEFAULT_PUE;
  if (site.pue === undefined) assumptions.push(`PUE ${DEFAULT_PUE} (2020 industry average; set site.pue)`);
  if (site.region !== undefined) {
    const series = options.intensity?.[site.region] as IntensitySeries;
    const startMs = p.spec.start ? Date.parse(p.spec.start) : series.startMs;
    if (!p.spec.start)
      assumptions.push(
        `start at the beginning of the ${site.region} intensity series (${new Date(series.startMs).toISOString()}); set start`,
      );
    return { pue, intensity: { kind: 'series', series, region: site.region, startMs } };
  }
  if (site.intensity === undefined)
    assumptions.push(`grid intensity ${DEFAULT_INTENSITY} gCO2eq/kWh (IEA 2019 world average; set site.intensity or site.region)`);
  return { pue, intensity: { kind: 'constant', gPerKWh: site.intensity ?? DEFAULT_INTENSITY } };
}

/** The calibration a forecast uses: the profile's own fit, else the file's pooled fit over other profiles. */
export function calibrationFor(
  file: CalibrationFile | undefined,
  profile: string,
): { fit: FitCore; basis: 'profile' | 'pooled' } | undefined {
  const own = file?.profiles[profile];
  if (own) return { fit: own, basis: 'profile' };
  if (file?.pooled) return { fit: file.pooled, basis: 'pooled' };
  return undefined;
}

function modelAssumptions(
  p: PreparedSpec,
  kind: SampleModel['kind'],
  calibration: { fit: FitCore; basis: 'profile' | 'pooled' } | undefined,
  costs: RunCosts,
): string[] {
  const out: string[] = [];
  const { spec, profile } = p;
  const count = spec.hardware.count;
  const fit = calibration?.fit;
  if (spec.hardware.powerW !== undefined) out.push(`average power ${spec.hardware.powerW} W per device while busy (set in the spec)`);
  if (kind !== 'measured')
    out.push(`idle power ${profile.idleW.value} W × ${count} device${count > 1 ? 's' : ''} counted over the run's duration`);
  if (spec.training) {
    if (spec.training.theta !== undefined) out.push(`θ = ${spec.training.theta} (set in the spec)`);
    else if (fit?.thetaFitted) out.push(`θ = ${fit.theta.toFixed(2)} (calibrated)`);
    else out.push('θ = 3: training costs three forward passes (backward ≈ 2× forward)');
    if (spec.training.batchSize === undefined && kind === 'layers') out.push(`batch size ${DEFAULT_BATCH_SIZE} (set training.batchSize)`);
    if (spec.training.goodput !== undefined)
      out.push(`goodput ${spec.training.goodput}: training's time and energy grow by 1/${spec.training.goodput} for restarts and downtime`);
  }
  if (kind === 'transformer') {
    const t = spec.model.transformer;
    const n =
      t?.activeParams !== undefined
        ? `6·N_active per token (N_active = activeParams, ${sig(t.activeParams)} of ${sig(t.params as number)} parameters)`
        : '6·N per token';
    const attention = t?.layers !== undefined ? ' + 12·layers·context·dModel for attention (Chowdhery et al. 2022, Appendix B)' : '';
    out.push(`transformer: training FLOPs ${n}${attention}; inference a third of that; compute-bound (memory traffic not priced)`);
    if (t?.layers === undefined) out.push('transformer: attention FLOPs not counted (give layers, dModel and context to count them)');
  }
  if (kind === 'flops')
    out.push('flopsPerSample: no per-layer fixed cost (layer count unknown); weights read once per batch, activations not priced');
  if (kind === 'measured')
    out.push('measured inferenceJ: training = θ·epochs·samples·inferenceJ; durations assume the devices draw their busy power');
  if (spec.inference && spec.inference.count > 0 && kind !== 'measured')
    out.push('inference: idle power counted only while computing (serving idle time belongs to the fleet)');
  if (p.search) {
    out.push(`search trials run one after another on the ${count} device${count > 1 ? 's' : ''}`);
    if (p.search.strategy === 'hyperband' || p.search.strategy === 'successive-halving')
      out.push('successive-halving rungs retrain from scratch (Li et al. 2018 accounting; no checkpoint reuse)');
    if (p.search.strategy === 'asha')
      out.push('ASHA: promoted trials resume from their checkpoints; 1/η of each rung promoted in expectation');
    if (costs.search?.simulated) out.push(`search p10/p90 from simulated draws over the space (seed ${p.search.seed})`);
    if (p.variables.length && costs.finalTrainingEpochs > 0)
      out.push('final training priced at the mean cost over the space (the best configuration is not known in advance)');
    if (p.search.includesFinalTraining) out.push('the best trial is the final model: no separate final training');
    if (costs.sampledPoints) out.push(`the space has ${costs.points} cost-relevant points; a seeded sample of them priced`);
  }
  if (calibration?.basis === 'pooled')
    out.push(
      `calibration: the file has no fit for ${profile.id}; its pooled fit over ${fit?.observations} observations of other profiles is used`,
    );
  if (fit && fit.observations >= MIN_OBSERVATIONS_FOR_SPREAD) {
    out.push(
      `interval from ${fit.observations} calibration observations: ×${round2(fit.spread.p10)}–×${round2(fit.spread.p90)}, for every figure`,
    );
    if (fit.withDuration === 0)
      out.push("calibration had no measured durations: the idle term's scale was fitted instead, durations stay uncalibrated");
  } else {
    const d = DEFAULT_SPREAD[kind];
    out.push(
      `uncalibrated interval ×${d.p10}–×${d.p90} for every figure: the reference set's spread for models given by ${KIND_NAMES[kind]} (wattprint accuracy)`,
    );
  }
  return out;
}

const KIND_NAMES: Record<SampleModel['kind'], string> = {
  layers: 'layers',
  flops: 'flopsPerSample',
  transformer: 'transformer size',
  measured: 'a measured inferenceJ',
};

const round2 = (v: number) => Number(v.toFixed(2));

function scaleQuantiles(q: Quantiles, k: number): Quantiles {
  return { p10: q.p10 * k, p50: q.p50 * k, p90: q.p90 * k };
}

/** The same ratios around another p50: every figure of a forecast shares one interval. */
function alike(p50: number, ratios: { p10: number; p90: number }): Quantiles {
  return { p10: p50 * ratios.p10, p50, p90: p50 * ratios.p90 };
}

const kwh = (j: number) => j / J_PER_KWH;

/**
 * Search and training on the devices; a spec with no training is a batch inference job, timed by
 * its inference (in service, inference is spread over the model's life and not timed).
 */
export function runDurationS(costs: RunCosts, trains: boolean): number {
  return trains ? (costs.search?.durationS ?? 0) + costs.training.durationS : costs.inference.durationS;
}

/** The full forecast with its explanation: what-if strategies, best start, suggestions. */
export function explainForecast(specInput: unknown, options: ForecastOptions = {}): ForecastExplanation {
  return forecastWith(specInput, options, true);
}

function forecastWith(specInput: unknown, options: ForecastOptions, explain: boolean): ForecastExplanation {
  const prepared = prepareSpec(specInput, options.intensity ? new Set(Object.keys(options.intensity)) : new Set());
  const { spec, profile } = prepared;
  const calibration = calibrationFor(options.calibration, profile.id);
  const fit = calibration?.fit;
  const scales: CalibratedScales | undefined = fit && {
    scale: fit.scale,
    theta: spec.training?.theta ?? fit.theta,
    durationScale: fit.durationScale,
    idleScale: fit.idleScale,
  };
  const ctx = runContext(
    {
      profile,
      precision: prepared.precision,
      count: spec.hardware.count,
      utilization: prepared.utilization,
      busyW: prepared.busyW,
      goodput: prepared.goodput,
    },
    scales,
  );
  if (!fit && spec.training?.theta !== undefined) ctx.theta = spec.training.theta;
  const costs = costRun(prepared, ctx);
  const kind = modelKind(prepared);
  const assumptions = [...prepared.assumptions];
  const carbon = carbonInputs(prepared, options, assumptions);
  assumptions.push(...modelAssumptions(prepared, kind, calibration, costs));

  const calibrated = Boolean(fit && fit.observations >= MIN_OBSERVATIONS_FOR_SPREAD);
  const spread: Spread = calibrated && fit ? fit.spread : DEFAULT_SPREAD[kind];
  const search = costs.search;
  const totalJ = (search?.energyJ.p50 ?? 0) + costs.training.energyJ + costs.inference.energyJ;
  // The search's own sampling spread is stacked on the model's (conservative); the resulting ratios
  // are the interval of every figure.
  const belowJ = (search?.energyJ.p50 ?? 0) - (search?.energyJ.p10 ?? 0);
  const aboveJ = (search?.energyJ.p90 ?? 0) - (search?.energyJ.p50 ?? 0);
  const ratios =
    totalJ > 0
      ? { p10: (spread.p10 * (totalJ - belowJ)) / totalJ, p90: (spread.p90 * (totalJ + aboveJ)) / totalJ }
      : { p10: spread.p10, p90: spread.p90 };
  const energyKWh = alike(kwh(totalJ), ratios);
  const runS = runDurationS(costs, Boolean(spec.training));
  const durationH = alike(runS / 3600, ratios);
  const pue = carbon.pue;
  const split = intensities(carbon, durationH.p50);
  if (!split.covered) assumptions.push('part of the run falls outside the intensity series: those hours count at the series mean');
  const runKWh = kwh((search?.energyJ.p50 ?? 0) + costs.training.energyJ);
  const co2p50 = co2eqKg(runKWh, pue, split.runGPerKWh) + co2eqKg(kwh(costs.inference.energyJ), pue, split.serviceGPerKWh);
  const deviceHours = scaleQuantiles(durationH, spec.hardware.count);

  const result: ForecastResult = {
    energyKWh,
    facilityEnergyKWh: scaleQuantiles(energyKWh, pue),
    co2eqKg: alike(co2p50, ratios),
    durationH,
    deviceHours,
    gpuHours: deviceHours.p50,
    phases: {
      search: { energyKWh: kwh(search?.energyJ.p50 ?? 0), trials: search?.trials ?? 0 },
      training: { energyKWh: kwh(costs.training.energyJ) },
      inference: { energyKWh: kwh(costs.inference.energyJ) },
    },
    model: costs.model,
    assumptions,
    calibration: {
      profile: profile.id,
      basis: calibration?.basis ?? 'none',
      observations: fit?.observations ?? 0,
      mape: fit ? fit.mape : null,
    },
  };

  if (!explain) return { result, costs, whatIf: [], suggestions: [] };
  const whatIf =
    prepared.search && search ? compareStrategies(prepared.search, spec.training?.epochs ?? 0, costs.epochCosts, search.trials) : [];
  let bestStart: ForecastExplanation['bestStart'];
  if (carbon.intensity.kind === 'series') {
    const { series, startMs } = carbon.intensity;
    const choice = bestStartHour(series, durationH.p50, startMs, startMs + 24 * HOUR_MS);
    if (choice) {
      bestStart = {
        ...choice,
        co2eqKg: co2eqKg(runKWh, pue, choice.gPerKWh) + co2eqKg(kwh(costs.inference.energyJ), pue, split.serviceGPerKWh),
      };
    }
  }
  const suggestions = suggestionsFor({ result, prepared, whatIf, bestStart, calibrated });
  return { result, costs, whatIf, bestStart, suggestions };
}

/**
 * Forecasts the energy, CO2eq and duration of a run spec (search, final training, inference in
 * service), returning exactly the Result of spec-format.md. Throws SpecError listing every problem.
 *
 * @example
 * const r = forecast({ model: { flopsPerSample: 4.1e9, params: 2.5e7 },
 *   hardware: { profile: 'nvidia-a100-sxm4-80gb' }, training: { samples: 1.2e6, epochs: 90 } });
 * r.energyKWh.p50; // IT energy, kWh
 */
export function forecast(specInput: unknown, options: ForecastOptions = {}): ForecastResult {
  return forecastWith(specInput, options, false).result;
}
