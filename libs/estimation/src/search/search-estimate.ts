import type { SearchPlanInput } from '../spec/prepare';
import { mulberry32 } from './prng';
import { quantileSorted, type Quantiles } from './quantiles';
import { ashaPlan, fullTrainingPlan, hyperbandPlan, successiveHalvingPlan, totalEpochs, type StrategyPlan } from './strategies';

/** Per point of the cost-relevant space: energy and time of one training epoch. */
export interface EpochCosts {
  energyJ: Float64Array;
  durationS: Float64Array;
}

export interface SearchEstimate {
  strategy: SearchPlanInput['strategy'];
  trials: number;
  epochs: number;
  energyJ: Quantiles;
  durationS: number;
  plan: StrategyPlan;
  /** True when the spread comes from simulating the draws (random-style strategies over a varied space). */
  simulated: boolean;
}

/** Keeps the simulation's work near this many draws whatever the number of trials. */
const DRAW_BUDGET = 2_000_000;

export function strategyPlan(input: SearchPlanInput, epochs: number): StrategyPlan {
  switch (input.strategy) {
    case 'grid':
      return fullTrainingPlan(input.gridPoints ?? 0, epochs);
    case 'random':
      return fullTrainingPlan(input.trials ?? 0, epochs);
    case 'successive-halving':
      return successiveHalvingPlan(input.trials ?? 0, input.maxEpochs, input.minEpochs, input.reductionFactor);
    case 'hyperband':
      return hyperbandPlan(input.maxEpochs, input.minEpochs, input.reductionFactor);
    case 'asha':
      return ashaPlan(input.trials ?? 0, input.maxEpochs, input.minEpochs, input.reductionFactor);
  }
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length ? sum / values.length : 0;
}

/** Rounds expected group sizes to whole configurations, keeping their sum (largest remainder). */
function wholeConfigs(plan: StrategyPlan): number[] {
  const floors = plan.groups.map((g) => Math.floor(g.configs));
  let missing = Math.round(plan.groups.reduce((s, g) => s + g.configs, 0)) - floors.reduce((s, n) => s + n, 0);
  const order = plan.groups.map((g, i) => [g.configs - floors[i], i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (missing <= 0) break;
    floors[i] += 1;
    missing -= 1;
  }
  return floors;
}

/** p10/p90 of the search's energy over many seeded draws of its configurations. */
function simulate(plan: StrategyPlan, energyJ: Float64Array, seed: number): [number, number] {
  const counts = wholeConfigs(plan);
  const draws = counts.reduce((s, n) => s + n, 0);
  const runs = Math.max(50, Math.min(500, Math.floor(DRAW_BUDGET / Math.max(1, draws))));
  const random = mulberry32(seed);
  const totals = new Float64Array(runs);
  const points = energyJ.length;
  for (let r = 0; r < runs; r++) {
    let total = 0;
    for (let g = 0; g < counts.length; g++) {
      let sum = 0;
      for (let j = 0; j < counts[g]; j++) sum += energyJ[(random() * points) | 0];
      total += sum * plan.groups[g].epochs;
    }
    totals[r] = total;
  }
  totals.sort();
  return [quantileSorted(totals, 0.1), quantileSorted(totals, 0.9)];
}

/**
 * The search phase: its expected energy (exact for a grid, which visits every point equally, and the
 * expected value for the sampled strategies) and, for sampled strategies, p10/p90 over the draws.
 */
export function estimateSearch(input: SearchPlanInput, epochs: number, costs: EpochCosts, withSpread = true): SearchEstimate {
  const plan = strategyPlan(input, epochs);
  const spent = totalEpochs(plan);
  const expected = spent * mean(costs.energyJ);
  const varied = costs.energyJ.some((e) => e !== costs.energyJ[0]);
  const simulated = withSpread && input.strategy !== 'grid' && varied && plan.trials > 0;
  let [p10, p90] = [expected, expected];
  if (simulated) [p10, p90] = simulate(plan, costs.energyJ, input.seed);
  return {
    strategy: input.strategy,
    trials: plan.trials,
    epochs: spent,
    energyJ: { p10: Math.min(p10, expected), p50: expected, p90: Math.max(p90, expected) },
    durationS: spent * mean(costs.durationS),
    plan,
    simulated,
  };
}
