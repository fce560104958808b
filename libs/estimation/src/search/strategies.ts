/**
 * How many configurations train for how many epochs under each strategy. Configurations are drawn
 * uniformly from the space; which ones a rung promotes depends on their accuracy, not their cost,
 * so the cost of a rung is its epoch budget times the mean cost of an epoch over the space.
 */

/** `configs` configurations each spend `epochs` epochs in total (configs may be fractional: an expectation). */
export interface EpochGroup {
  configs: number;
  epochs: number;
}

export interface Rung {
  bracket: number;
  rung: number;
  configs: number;
  epochs: number;
}

export interface StrategyPlan {
  /** Distinct configurations trained. */
  trials: number;
  groups: EpochGroup[];
  rungs: Rung[];
}

export function totalEpochs(plan: StrategyPlan): number {
  return plan.groups.reduce((sum, g) => sum + g.configs * g.epochs, 0);
}

/** Largest s with η^s ≤ ratio, in integers so that 81 / 3 is 4 rungs, not 3.9999. */
function logFloor(ratio: number, eta: number): number {
  let s = 0;
  let p = eta;
  while (p <= ratio * (1 + 1e-12)) {
    s += 1;
    p *= eta;
  }
  return s;
}

/** Every trial trains the full epochs (grid points and random trials alike). */
export function fullTrainingPlan(trials: number, epochs: number): StrategyPlan {
  return { trials, groups: [{ configs: trials, epochs }], rungs: [{ bracket: 0, rung: 0, configs: trials, epochs }] };
}

/**
 * One successive-halving bracket (Jamieson & Talwalkar 2016) as Hyperband runs it: rung i trains
 * ⌊n·η^-i⌋ configurations for r·η^i epochs each, from scratch (Li et al. 2018's accounting: no
 * checkpoint reuse between rungs).
 */
function halvingBracket(n: number, r: number, rungs: number, eta: number, bracket: number): { groups: EpochGroup[]; rungs: Rung[] } {
  const sizes: Rung[] = [];
  for (let i = 0; i <= rungs; i++) {
    sizes.push({ bracket, rung: i, configs: Math.floor(n / eta ** i + 1e-9), epochs: r * eta ** i });
  }
  const groups: EpochGroup[] = [];
  let spent = 0;
  sizes.forEach((rung, i) => {
    spent += rung.epochs;
    const stopHere = rung.configs - (sizes[i + 1]?.configs ?? 0);
    if (stopHere > 0) groups.push({ configs: stopHere, epochs: spent });
  });
  return { groups, rungs: sizes };
}

export function successiveHalvingPlan(trials: number, maxEpochs: number, minEpochs: number, eta: number): StrategyPlan {
  const rungs = Math.min(logFloor(trials, eta), logFloor(maxEpochs / minEpochs, eta));
  const bracket = halvingBracket(trials, maxEpochs / eta ** rungs, rungs, eta, 0);
  return { trials, ...bracket };
}

/** Hyperband (Li et al. 2018, Algorithm 1): brackets s = s_max … 0 of successive halving. */
export function hyperbandPlan(maxEpochs: number, minEpochs: number, eta: number): StrategyPlan {
  const sMax = logFloor(maxEpochs / minEpochs, eta);
  const budget = (sMax + 1) * maxEpochs;
  const plan: StrategyPlan = { trials: 0, groups: [], rungs: [] };
  for (let s = sMax; s >= 0; s--) {
    const n = Math.ceil(((budget / maxEpochs) * eta ** s) / (s + 1) - 1e-9);
    const bracket = halvingBracket(n, maxEpochs / eta ** s, s, eta, sMax - s);
    plan.trials += n;
    plan.groups.push(...bracket.groups);
    plan.rungs.push(...bracket.rungs);
  }
  return plan;
}

/**
 * ASHA (Li et al. 2020): rungs at minEpochs·η^k up to maxEpochs; asynchronously, 1/η of a rung is
 * promoted, so n/η^k configurations reach rung k in expectation. Promoted configurations resume
 * from their checkpoint, so a rung costs only the epochs it adds.
 */
export function ashaPlan(trials: number, maxEpochs: number, minEpochs: number, eta: number): StrategyPlan {
  const top = logFloor(maxEpochs / minEpochs, eta);
  const rungs: Rung[] = [];
  for (let k = 0; k <= top; k++) {
    rungs.push({ bracket: 0, rung: k, configs: trials / eta ** k, epochs: k === top ? maxEpochs : minEpochs * eta ** k });
  }
  const groups = rungs
    .map((rung, k) => ({ configs: rung.configs - (rungs[k + 1]?.configs ?? 0), epochs: rung.epochs }))
    .filter((g) => g.configs > 0);
  return { trials, groups, rungs };
}
