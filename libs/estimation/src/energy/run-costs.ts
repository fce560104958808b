import { estimateSearch, type SearchEstimate } from '../search/search-estimate';
import { costPoints } from '../search/space';
import { bind } from '../spec/bindings';
import { DEFAULT_BATCH_SIZE, sampleModel, type PreparedSpec } from '../spec/prepare';
import {
  bytesPerElement,
  components,
  idleEnergyJ,
  modelledForwardTimeS,
  passCost,
  type Components,
  type PhaseCost,
  type RunContext,
} from './run-context';
import { addWork, forwardWork, NO_WORK, type SampleModel, type Work } from './work';

export interface ModelSummary {
  params: number;
  flopsPerSample: number;
  /** Layers that carry a fixed cost; null when the spec does not give them (flopsPerSample, inferenceJ, a transformer without layers). */
  layers: number | null;
}

/**
 * The linear terms of the forward work priced at the default coefficients, its idle energy over the
 * modelled duration (J) and that duration (s), before any calibration: what calibration fits against.
 */
export interface Features extends Components {
  idle: number;
  timeS: number;
}

/** The cost of every phase of a run, and the linear features calibration fits against. */
export interface RunCosts {
  search?: SearchEstimate;
  training: PhaseCost;
  inference: PhaseCost;
  /** Mean over the points of the space when the model is searched. */
  model: ModelSummary;
  /** Energy and time of one training epoch at each point of the space (what the search draws from). */
  epochCosts: { energyJ: Float64Array; durationS: Float64Array };
  /** Forward work priced at the default coefficients, summed over search and final training (× θ gives training energy). */
  trainingFeatures: Features;
  inferenceFeatures: Features;
  /** Points of the cost-relevant space, and whether they were sampled rather than enumerated. */
  points: number;
  sampledPoints: boolean;
  finalTrainingEpochs: number;
}

const ZERO: Features = { alpha: 0, beta: 0, gamma: 0, idle: 0, timeS: 0 };

function features(work: Work, ctx: RunContext, k: number): Features {
  const c = components(work, ctx);
  const timeS = modelledForwardTimeS(work, ctx);
  return { alpha: c.alpha * k, beta: c.beta * k, gamma: c.gamma * k, idle: idleEnergyJ(timeS, ctx) * k, timeS: timeS * k };
}

/** Measured path (estimation-model.md): T ∝ E·D·I·θ, the devices assumed to draw their busy power meanwhile. */
function measuredPass(model: Extract<SampleModel, { kind: 'measured' }>, samples: number, weight: number, ctx: RunContext): PhaseCost {
  const energyJ = weight * samples * model.inferenceJ;
  return { energyJ, durationS: (energyJ / (ctx.busyW * ctx.count)) * ctx.durationScale };
}

/** Restarts and downtime: the wall time and energy of training grow by 1/goodput (lost steps are recomputed). */
function withGoodput(cost: PhaseCost, ctx: RunContext): PhaseCost {
  return { energyJ: cost.energyJ / ctx.goodput, durationS: cost.durationS / ctx.goodput };
}

function unitsPerSample(model: SampleModel): number {
  return model.kind === 'transformer' ? model.tokensPerSample : 1;
}

/** Counts are whole numbers: a mean over a searched space is rounded; layers are null where the spec gives none. */
function summary(mean: { params: number; flopsPerSample: number; layers: number }, prepared: PreparedSpec): ModelSummary {
  const m = prepared.spec.model;
  const layers = m.layers ? Math.round(mean.layers) : (m.transformer?.layers ?? null);
  return { params: Math.round(mean.params), flopsPerSample: mean.flopsPerSample, layers };
}

export function costRun(prepared: PreparedSpec, ctx: RunContext): RunCosts {
  const { spec } = prepared;
  const points = costPoints(prepared.variables, prepared.search?.seed ?? 0);
  const n = points.bindings.length;
  const bpe = bytesPerElement(ctx);
  const epochCosts = { energyJ: new Float64Array(n), durationS: new Float64Array(n) };
  let epochWork: Work = NO_WORK;
  let inferenceWork: Work = NO_WORK;
  let inference: PhaseCost = { energyJ: 0, durationS: 0 };
  const model = { params: 0, flopsPerSample: 0, layers: 0 };
  const inferences = spec.inference?.count ?? 0;
  const inferenceBatch = spec.inference?.batchSize ?? 1;

  points.bindings.forEach((binding, i) => {
    const m = sampleModel(prepared, binding);
    model.params += m.params / n;
    model.flopsPerSample += (m.flops * unitsPerSample(m)) / n;
    model.layers += m.layers / n;
    if (spec.training) {
      const samples = bind(spec.training.samples, binding) as number;
      const batch = (bind(spec.training.batchSize, binding) as number | undefined) ?? DEFAULT_BATCH_SIZE;
      let epoch: PhaseCost;
      if (m.kind === 'measured') {
        epoch = withGoodput(measuredPass(m, samples, ctx.theta, ctx), ctx);
      } else {
        const work = forwardWork(m, samples, batch, bpe);
        epoch = withGoodput(passCost(work, ctx, ctx.theta), ctx);
        epochWork = addWork(epochWork, work, 1 / n);
      }
      epochCosts.energyJ[i] = epoch.energyJ;
      epochCosts.durationS[i] = epoch.durationS;
    }
    if (inferences > 0) {
      if (m.kind === 'measured') {
        const cost = measuredPass(m, inferences, 1, ctx);
        inference = { energyJ: inference.energyJ + cost.energyJ / n, durationS: inference.durationS + cost.durationS / n };
      } else {
        const units = unitsPerSample(m);
        inferenceWork = addWork(inferenceWork, forwardWork(m, inferences * units, inferenceBatch * units, bpe), 1 / n);
      }
    }
  });
  if (inferenceWork !== NO_WORK) inference = passCost(inferenceWork, ctx, 1);

  const epochs = spec.training?.epochs ?? 0;
  const search = prepared.search && spec.training ? estimateSearch(prepared.search, epochs, epochCosts) : undefined;
  const finalTrainingEpochs = spec.training && !prepared.search?.includesFinalTraining ? epochs : 0;
  let meanEpoch: PhaseCost = { energyJ: 0, durationS: 0 };
  for (let i = 0; i < n; i++) {
    meanEpoch = { energyJ: meanEpoch.energyJ + epochCosts.energyJ[i] / n, durationS: meanEpoch.durationS + epochCosts.durationS[i] / n };
  }
  const trainedEpochs = finalTrainingEpochs + (search?.epochs ?? 0);
  return {
    search,
    training: { energyJ: meanEpoch.energyJ * finalTrainingEpochs, durationS: meanEpoch.durationS * finalTrainingEpochs },
    inference,
    model: summary(model, prepared),
    epochCosts,
    trainingFeatures: epochWork === NO_WORK ? ZERO : features(epochWork, ctx, trainedEpochs / ctx.goodput),
    inferenceFeatures: inferenceWork === NO_WORK ? ZERO : features(inferenceWork, ctx, 1),
    points: points.total,
    sampledPoints: points.sampled,
    finalTrainingEpochs,
  };
}
