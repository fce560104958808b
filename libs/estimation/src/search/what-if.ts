import type { SearchPlanInput } from '../spec/prepare';
import { STRATEGIES, type Strategy } from '../spec/spec.schema';
import { estimateSearch, type EpochCosts } from './search-estimate';

/** Above this many grid points the what-if leaves grid out rather than price an absurd search. */
const MAX_WHAT_IF_GRID = 1_000_000;

export interface StrategyOutcome {
  strategy: Strategy;
  trials: number;
  epochs: number;
  energyJ: number;
  durationS: number;
}

/**
 * The same space searched by every strategy: random, successive halving and ASHA with as many
 * trials as the spec's search trains, Hyperband and ASHA with its epoch budget, grid when the space
 * is a finite list of values.
 */
export function compareStrategies(input: SearchPlanInput, epochs: number, costs: EpochCosts, trialsNow: number): StrategyOutcome[] {
  const outcomes: StrategyOutcome[] = [];
  for (const strategy of STRATEGIES) {
    if (strategy === 'grid' && (input.gridPoints === undefined || input.gridPoints > MAX_WHAT_IF_GRID)) continue;
    const trials = strategy === 'grid' || strategy === 'hyperband' ? undefined : (input.trials ?? trialsNow);
    // Only expected values are compared: no need to simulate each strategy's spread.
    const estimate = estimateSearch({ ...input, strategy, trials }, epochs, costs, false);
    outcomes.push({
      strategy,
      trials: estimate.trials,
      epochs: estimate.epochs,
      energyJ: estimate.energyJ.p50,
      durationS: estimate.durationS,
    });
  }
  return outcomes;
}
