import { bestStartHour, type IntensitySeries, type StartChoice } from '../carbon/intensity';
import type { CalibrationFile, ProfileCalibration } from '../calibration/calibration.schema';
import { costRun, type RunCosts } from '../energy/run-costs';
import { runContext } from '../energy/run-context';
import type { SampleModel } from '../energy/work';
import type { Quantiles } from '../search/quantiles';
import { compareStrategies, type StrategyOutcome } from '../search/what-if';
import { DEFAULT_BATCH_SIZE, prepareSpec, type PreparedSpec } from '../spec/prepare';
import { co2eqKg, DEFAULT_INTENSITY, DEFAULT_PUE, intensities, type CarbonInputs } from './carbon';
import type { ForecastResult } from './result';
import { DEFAULT_DURATION_SPREAD, DEFAULT_ENERGY_SPREAD, MIN_OBSERVATIONS_FOR_SPREAD, type Spread } from './spreads';
import { suggestionsFor } from './suggestions';

const J_PER_KWH = 3.6e6;
const HOUR_MS = 3_600_000;

export interface ForecastOptions {
  /** From `wattprint calibrate`; the spec's profile is used when the file has it. */
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

function modelAssumptions(
  p: PreparedSpec,
  kind: SampleModel['kind'],
  calibration: ProfileCalibration | undefined,
  costs: RunCosts,
): string[] {
  const out: string[] = [];
  const { spec, profile } = p;
  const count = spec.hardware.count;
  if (kind !== 'measured')
    out.push(`idle power ${profile.idleW.value} W × ${count} device${count > 1 ? 's' : ''} counted over the run's duration`);
  if (spec.training) {
    if (spec.training.theta !== undefined) out.push(`θ = ${spec.training.theta} (set in the spec)`);
    else if (calibration?.thetaFitted) out.push(`θ = ${calibration.theta.toFixed(2)} (calibrated)`);
    else out.push('θ = 3: training costs three forward passes (backward ≈ 2× forward)');
    if (spec.training.batchSize === undefined && kind === 'layers') out.push(`batch size ${DEFAULT_BATCH_SIZE} (set training.batchSize)`);
  }
  if (kind === 'transformer')
    out.push('transformer: training FLOPs 6·N·tokens, inference 2·N per token; compute-bound (memory traffic not priced)');
  if (kind === 'flops')
    out.push('flopsPerSample: no per-layer fixed cost (layer count unknown); weights read once per batch, activations not priced');
  if (kind === 'measured') out.push('measured inferenceJ: training = θ·epochs·samples·inferenceJ; durations assume the devices draw TDP');
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
  if (calibration && calibration.observations >= MIN_OBSERVATIONS_FOR_SPREAD)
    out.push(`interval from ${calibration.observations} calibration observations`);
  else
    out.push(
      `uncalibrated interval: the documented default spread ×${DEFAULT_ENERGY_SPREAD[kind].p10}–×${DEFAULT_ENERGY_SPREAD[kind].p90}`,
    );
  return out;
}

function interval(p50: number, spread: Spread, below = 0, above = 0): Quantiles {
  return { p10: spread.p10 * (p50 - below), p50, p90: spread.p90 * (p50 + above) };
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
  const calibration = options.calibration?.profiles[profile.id];
  const ctx = runContext(
    profile,
    prepared.precision,
    spec.hardware.count,
    prepared.utilization,
    calibration && {
      scale: calibration.scale,
      theta: spec.training?.theta ?? calibration.theta,
      durationScale: calibration.durationScale,
    },
  );
  if (!calibration && spec.training?.theta !== undefined) ctx.theta = spec.training.theta;
  const costs = costRun(prepared, ctx);
  const kind = modelKind(prepared);
  const assumptions = [...prepared.assumptions];
  const carbon = carbonInputs(prepared, options, assumptions);
  assumptions.push(...modelAssumptions(prepared, kind, calibration, costs));

  const calibrated = calibration && calibration.observations >= MIN_OBSERVATIONS_FOR_SPREAD;
  const energySpread = calibrated ? calibration.energySpread : DEFAULT_ENERGY_SPREAD[kind];
  const durationSpread = calibrated ? calibration.durationSpread : DEFAULT_DURATION_SPREAD;
  const search = costs.search;
  const totalJ = (search?.energyJ.p50 ?? 0) + costs.training.energyJ + costs.inference.energyJ;
  // The search's own sampling spread is stacked on the model's (conservative).
  const energyKWh = interval(
    kwh(totalJ),
    energySpread,
    kwh((search?.energyJ.p50 ?? 0) - (search?.energyJ.p10 ?? 0)),
    kwh((search?.energyJ.p90 ?? 0) - (search?.energyJ.p50 ?? 0)),
  );
  const runS = runDurationS(costs, Boolean(spec.training));
  const durationH = interval(runS / 3600, durationSpread);
  const pue = carbon.pue;
  const split = intensities(carbon, durationH.p50);
  if (!split.covered) assumptions.push('part of the run falls outside the intensity series: those hours count at the series mean');
  const runKWh = kwh((search?.energyJ.p50 ?? 0) + costs.training.energyJ);
  const co2p50 = co2eqKg(runKWh, pue, split.runGPerKWh) + co2eqKg(kwh(costs.inference.energyJ), pue, split.serviceGPerKWh);
  const ratio = (q: number) => (energyKWh.p50 > 0 ? q / energyKWh.p50 : 1);

  const result: ForecastResult = {
    energyKWh,
    facilityEnergyKWh: { p10: energyKWh.p10 * pue, p50: energyKWh.p50 * pue, p90: energyKWh.p90 * pue },
    co2eqKg: { p10: co2p50 * ratio(energyKWh.p10), p50: co2p50, p90: co2p50 * ratio(energyKWh.p90) },
    durationH,
    gpuHours: durationH.p50 * spec.hardware.count,
    phases: {
      search: { energyKWh: kwh(search?.energyJ.p50 ?? 0), trials: search?.trials ?? 0 },
      training: { energyKWh: kwh(costs.training.energyJ) },
      inference: { energyKWh: kwh(costs.inference.energyJ) },
    },
    model: costs.model,
    assumptions,
    calibration: { profile: profile.id, observations: calibration?.observations ?? 0, mape: calibration ? calibration.mape : null },
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
  const suggestions = suggestionsFor({ result, prepared, whatIf, bestStart, calibrated: Boolean(calibrated) });
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
