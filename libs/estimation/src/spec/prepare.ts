import { findHardware, mixedPrecision, precisionsOf, transformerUtilization } from '../hardware/hardware.lookup';
import type { HardwareProfile } from '../hardware/hardware.types';
import { analyzeLayers } from '../layers/analyze';
import type { SampleModel } from '../energy/work';
import { describeValue, parseOrThrow, SpecError, type InputProblem } from '../problems';
import { bind, costVariables, unboundInRaw, variableUses, type CostVariable } from './bindings';
import type { BoundLayer } from './layer.schema';
import { RunSpec, type Precision, type TransformerSpec } from './spec.schema';

/** Utilisation assumed for networks given by layers or FLOPs when a spec gives none: typical of well-tuned training. */
export const DEFAULT_UTILIZATION = 0.4;
export const DEFAULT_BATCH_SIZE = 32;
export const DEFAULT_REDUCTION_FACTOR = 3;

const round = (v: number) => Number(v.toPrecision(3));

/** Parameters that set a transformer's size class: the active ones; undefined while a search binds them. */
function sizeOf(t: TransformerSpec): number | undefined {
  if (t.activeParams !== undefined) return t.activeParams;
  return typeof t.params === 'number' ? t.params : undefined;
}

/**
 * Forward FLOPs of one token: 2 per parameter it passes through, plus the attention scores and their
 * weighted sum over the context, 4·layers·context·dModel (Chowdhery et al. 2022, Appendix B: training
 * costs 6·N + 12·L·H·Q·T per token, three forward passes).
 */
export function transformerFlopsPerToken(params: number, active?: number, layers?: number, dModel?: number, context?: number): number {
  const attention = layers !== undefined && dModel !== undefined && context !== undefined ? 4 * layers * context * dModel : 0;
  return 2 * (active ?? params) + attention;
}

export interface SearchPlanInput {
  strategy: NonNullable<RunSpec['search']>['strategy'];
  trials?: number;
  seed: number;
  maxEpochs: number;
  minEpochs: number;
  reductionFactor: number;
  includesFinalTraining: boolean;
  /** Points of the whole space (cost-irrelevant lists included); undefined when a range makes it infinite. */
  gridPoints?: number;
}

/** A spec that parsed and passed every cross-field check, with what the computations need. */
export interface PreparedSpec {
  spec: RunSpec;
  profile: HardwareProfile;
  precision: Precision;
  utilization: number;
  /** Average power per device while busy, W: hardware.powerW, or the profile's share of TDP. */
  busyW: number;
  /** Share of wall time that advances training (1 unless the spec says otherwise). */
  goodput: number;
  /** Search variables some cost depends on; empty when the model is fixed. */
  variables: CostVariable[];
  search?: SearchPlanInput;
  assumptions: string[];
}

function gridPoints(space: NonNullable<RunSpec['search']>['space']): number | undefined {
  let points = 1;
  for (const entry of Object.values(space)) {
    if (!Array.isArray(entry)) return undefined;
    points *= entry.length;
  }
  return points;
}

function checkSearch(spec: RunSpec, problems: InputProblem[]): SearchPlanInput | undefined {
  const search = spec.search;
  if (!search) return undefined;
  if (!spec.training)
    problems.push({ path: 'search', message: 'missing training beside it; expected a training section (every trial trains the model)' });
  const epochs = spec.training?.epochs ?? 1;
  const maxEpochs = search.maxEpochs ?? epochs;
  const minEpochs = search.minEpochs ?? 1;
  const needsTrials = search.strategy === 'random' || search.strategy === 'successive-halving' || search.strategy === 'asha';
  if (needsTrials && search.trials === undefined)
    problems.push({ path: 'search.trials', message: `missing; expected the number of configurations ${search.strategy} samples` });
  if (!needsTrials && search.trials !== undefined) {
    problems.push({
      path: 'search.trials',
      message: `got ${search.trials}; expected no trials for ${search.strategy}, which ${search.strategy === 'grid' ? 'runs every point of the space' : 'derives its trials from maxEpochs and reductionFactor'}`,
    });
  }
  const points = gridPoints(search.space);
  if (search.strategy === 'grid') {
    for (const [name, entry] of Object.entries(search.space)) {
      if (!Array.isArray(entry))
        problems.push({ path: `search.space.${name}`, message: 'got a range; expected a list of values (a grid runs every point)' });
    }
  }
  if (minEpochs > maxEpochs)
    problems.push({ path: 'search.minEpochs', message: `got ${minEpochs}; expected at most maxEpochs (${maxEpochs})` });
  return {
    strategy: search.strategy,
    trials: search.trials,
    seed: search.seed ?? 0,
    maxEpochs,
    minEpochs,
    reductionFactor: search.reductionFactor ?? DEFAULT_REDUCTION_FACTOR,
    includesFinalTraining: search.includesFinalTraining ?? false,
    gridPoints: points,
  };
}

function rawProblems(input: unknown, already: InputProblem[]): InputProblem[] {
  const extra: InputProblem[] = [];
  const profile = (input as { hardware?: { profile?: unknown } } | null)?.hardware?.profile;
  if (typeof profile === 'string' && !findHardware(profile)) {
    extra.push({
      path: 'hardware.profile',
      message: `got ${describeValue(profile)}; expected a profile id listed by \`wattprint hardware list\``,
    });
  }
  extra.push(...unboundInRaw(input));
  const seen = new Set(already.map((p) => p.path));
  return extra.filter((p) => !seen.has(p.path));
}

/** Parses a run spec and checks what a schema cannot: the profile, the precision, `$name` bindings, the search. */
export function prepareSpec(input: unknown, knownRegions?: ReadonlySet<string>): PreparedSpec {
  let spec: RunSpec;
  try {
    spec = parseOrThrow(RunSpec, input);
  } catch (error) {
    // Report what else is wrong in the same run: an unknown profile and unbound $names.
    if (error instanceof SpecError) throw new SpecError([...error.problems, ...rawProblems(input, error.problems)]);
    throw error;
  }
  const problems: InputProblem[] = [];
  const assumptions: string[] = [];
  const profile = findHardware(spec.hardware.profile);
  const transformer = spec.model.transformer;
  let precision: Precision = 'fp32';
  let utilization = spec.hardware.utilization ?? DEFAULT_UTILIZATION;
  let busyW = spec.hardware.powerW ?? 0;
  if (!profile) {
    problems.push({
      path: 'hardware.profile',
      message: `got ${describeValue(spec.hardware.profile)}; expected a profile id listed by \`wattprint hardware list\``,
    });
  } else {
    precision = spec.hardware.precision ?? (transformer ? mixedPrecision(profile) : profile.defaultPrecision);
    if (!profile.peakFlops[precision]) {
      problems.push({
        path: 'hardware.precision',
        message: `got ${describeValue(precision)}; expected one ${profile.id} runs: ${precisionsOf(profile).join(', ')}`,
      });
    }
    if (!spec.hardware.precision) {
      assumptions.push(
        transformer
          ? `precision ${precision}: ${profile.id}'s usual mixed precision for transformer training (set hardware.precision)`
          : `precision ${precision} (the profile's default; set hardware.precision for mixed precision)`,
      );
    }
    if (spec.hardware.utilization === undefined && spec.model.inferenceJ === undefined) {
      if (transformer) {
        const chosen = transformerUtilization(profile, sizeOf(transformer));
        utilization = chosen.figure.value;
        assumptions.push(`utilisation ${utilization} of peak FLOPS${chosen.why} (${chosen.figure.source}; set hardware.utilization)`);
      } else {
        assumptions.push(`utilisation ${DEFAULT_UTILIZATION} of peak FLOPS (typical of tuned training; set hardware.utilization)`);
      }
    }
    if (spec.hardware.powerW === undefined) {
      busyW = profile.trainingPower.value * profile.tdpW.value;
      assumptions.push(
        `average power ${round(busyW)} W per device while busy: ${profile.trainingPower.value} × the ${profile.tdpW.value} W TDP, host share included ` +
          `(${profile.trainingPower.source}; set hardware.powerW)`,
      );
    } else if (spec.hardware.powerW <= profile.idleW.value) {
      problems.push({
        path: 'hardware.powerW',
        message: `got ${spec.hardware.powerW}; expected more than ${profile.id}'s idle power of ${profile.idleW.value} W`,
      });
    }
  }
  if (transformer && transformer.tokensPerSample === undefined && (spec.inference?.count ?? 0) > 0) {
    problems.push({
      path: 'model.transformer.tokensPerSample',
      message: 'missing; expected the tokens of one inference, because inference.count is given',
    });
  }
  const goodput = spec.training?.goodput ?? 1;
  const search = checkSearch(spec, problems);
  const { variables, problems: bindingProblems } = costVariables(variableUses(spec), spec.search?.space);
  problems.push(...bindingProblems);
  if (spec.site?.region !== undefined && knownRegions && !knownRegions.has(spec.site.region)) {
    problems.push({
      path: 'site.region',
      message: `got ${describeValue(spec.site.region)}; expected a region whose hourly intensity series is supplied (${knownRegions.size ? [...knownRegions].join(', ') : 'none supplied'}), or site.intensity`,
    });
  }
  if (problems.length > 0) throw new SpecError(problems);
  return { spec, profile: profile as HardwareProfile, precision, utilization, busyW, goodput, variables, search, assumptions };
}

/** The network of one point of the space (or the only network, when nothing is searched). */
export function sampleModel(prepared: PreparedSpec, bindings: Readonly<Record<string, number>>): SampleModel {
  const model = prepared.variables.length ? bind(prepared.spec.model, bindings) : prepared.spec.model;
  if (model.layers && model.input) {
    try {
      const cost = analyzeLayers(model.input, model.layers as BoundLayer[]);
      return { kind: 'layers', params: cost.params, flops: cost.flops, activations: cost.activations, layers: cost.layers };
    } catch (error) {
      if (error instanceof SpecError && prepared.variables.length) {
        const at = Object.entries(bindings)
          .map(([k, v]) => `$${k}=${v}`)
          .join(', ');
        throw new SpecError(error.problems.map((p) => ({ ...p, message: `${p.message} (with ${at})` })));
      }
      throw error;
    }
  }
  if (model.flopsPerSample !== undefined) {
    return {
      kind: 'flops',
      params: (model.params as number | undefined) ?? 0,
      flops: model.flopsPerSample as number,
      activations: 0,
      layers: 0,
    };
  }
  if (model.transformer) {
    const t = model.transformer;
    const n = t.params as number;
    // Training samples of a transformer are tokens; a sample in service is tokensPerSample tokens.
    return {
      kind: 'transformer',
      params: n,
      flops: transformerFlopsPerToken(n, t.activeParams, t.layers, t.dModel, t.context),
      activations: 0,
      layers: 0,
      tokensPerSample: (t.tokensPerSample as number | undefined) ?? 1,
    };
  }
  return { kind: 'measured', params: 0, flops: 0, activations: 0, layers: 0, inferenceJ: model.inferenceJ as number };
}
