import { explainForecast, forecast } from '../forecast/forecast';
import { denseSearchSpec } from '../testing/fixtures';
import { ashaPlan, hyperbandPlan, successiveHalvingPlan, totalEpochs } from './strategies';

/** Training energy (kWh) of the dense net at one point of the space, forecast as a plain run. */
function trainingKWh(units: number, depth: number, epochs = 9): number {
  const spec = denseSearchSpec({});
  const plain = {
    ...spec,
    model: {
      input: [784],
      layers: [
        { type: 'dense', units, repeat: depth, activation: 'relu' },
        { type: 'dense', units: 10 },
      ],
    },
    training: { ...spec.training, epochs },
    search: undefined,
  };
  return forecast(plain).phases.training.energyKWh;
}

describe('search strategies: rung budgets', () => {
  it('hyperband with R = 81, η = 3 reproduces Li et al. 2018, Table 1', () => {
    const plan = hyperbandPlan(81, 1, 3);
    const table = plan.rungs.map((r) => [r.bracket, r.configs, r.epochs]);
    expect(table).toEqual([
      [0, 81, 1],
      [0, 27, 3],
      [0, 9, 9],
      [0, 3, 27],
      [0, 1, 81],
      [1, 34, 3],
      [1, 11, 9],
      [1, 3, 27],
      [1, 1, 81],
      [2, 15, 9],
      [2, 5, 27],
      [2, 1, 81],
      [3, 8, 27],
      [3, 2, 81],
      [4, 5, 81],
    ]);
    expect(plan.trials).toBe(81 + 34 + 15 + 8 + 5);
    // Each rung retrains from scratch: the budget is Σ configs × epochs over every rung.
    expect(totalEpochs(plan)).toBe(plan.rungs.reduce((s, r) => s + r.configs * r.epochs, 0));
  });

  it('successive halving keeps 1/η of the configurations each rung, up to maxEpochs', () => {
    const plan = successiveHalvingPlan(27, 27, 1, 3);
    expect(plan.rungs.map((r) => [r.configs, r.epochs])).toEqual([
      [27, 1],
      [9, 3],
      [3, 9],
      [1, 27],
    ]);
    expect(totalEpochs(plan)).toBe(27 * 1 + 9 * 3 + 3 * 9 + 1 * 27);
  });

  it('ASHA: n/η^k configurations reach rung k and resume, so each rung adds only its new epochs', () => {
    const plan = ashaPlan(90, 27, 1, 3);
    expect(plan.rungs.map((r) => [r.configs, r.epochs])).toEqual([
      [90, 1],
      [30, 3],
      [10, 9],
      [90 / 27, 27],
    ]);
    const incremental = 90 * 1 + 30 * (3 - 1) + 10 * (9 - 3) + (90 / 27) * (27 - 9);
    expect(totalEpochs(plan)).toBeCloseTo(incremental, 9);
  });
});

describe('search strategies: energy', () => {
  it('grid is the exact sum over every point, cost-irrelevant lists multiplying it', () => {
    const spec = denseSearchSpec({ strategy: 'grid', space: { units: [64, 256, 1024], depth: [1, 2, 4], optimizer: ['adam', 'sgd'] } });
    const r = forecast(spec);
    let sum = 0;
    for (const units of [64, 256, 1024]) for (const depth of [1, 2, 4]) sum += 2 * trainingKWh(units, depth);
    expect(r.phases.search.trials).toBe(18);
    expect(r.phases.search.energyKWh).toBeCloseTo(sum, 12);
  });

  it('random: the expected value is trials × the mean over the space, with a seeded p10/p90', () => {
    const spec = denseSearchSpec({ strategy: 'random', trials: 40, seed: 7 });
    const e = explainForecast(spec);
    let mean = 0;
    for (const units of [64, 256, 1024]) for (const depth of [1, 2, 4]) mean += trainingKWh(units, depth) / 9;
    expect(e.result.phases.search.energyKWh).toBeCloseTo(40 * mean, 12);
    const s = e.costs.search;
    expect(s?.simulated).toBe(true);
    expect(s?.energyJ.p10).toBeLessThan(s?.energyJ.p50 ?? 0);
    expect(s?.energyJ.p90).toBeGreaterThan(s?.energyJ.p50 ?? 0);
    // The same seed gives the same interval; another seed another one.
    expect(explainForecast(spec).costs.search?.energyJ).toEqual(s?.energyJ);
    const other = explainForecast(denseSearchSpec({ strategy: 'random', trials: 40, seed: 8 })).costs.search?.energyJ;
    expect(other?.p50).toBeCloseTo(s?.energyJ.p50 ?? 0, 6);
    expect(other?.p10).not.toBe(s?.energyJ.p10);
  });

  it('random: the simulated p10/p90 bracket the spread of real sums of draws', () => {
    const few = explainForecast(denseSearchSpec({ strategy: 'random', trials: 3, seed: 1 })).costs.search;
    const many = explainForecast(denseSearchSpec({ strategy: 'random', trials: 300, seed: 1 })).costs.search;
    const relative = (q?: { p10: number; p50: number; p90: number }) => ((q?.p90 ?? 0) - (q?.p10 ?? 0)) / (q?.p50 ?? 1);
    // Sums of more independent draws concentrate around the mean (√n law).
    expect(relative(many?.energyJ)).toBeLessThan(relative(few?.energyJ) / 5);
  });

  it('hyperband and ASHA price their epoch budgets at the mean epoch cost', () => {
    const hb = explainForecast(denseSearchSpec({ strategy: 'hyperband', maxEpochs: 27 }));
    let meanEpoch = 0;
    for (const units of [64, 256, 1024]) for (const depth of [1, 2, 4]) meanEpoch += trainingKWh(units, depth, 1) / 9;
    const budget = totalEpochs(hyperbandPlan(27, 1, 3));
    expect(hb.result.phases.search.energyKWh).toBeCloseTo(budget * meanEpoch, 9);
    expect(hb.result.phases.search.trials).toBe(hyperbandPlan(27, 1, 3).trials);
    const asha = forecast(denseSearchSpec({ strategy: 'asha', trials: 90, maxEpochs: 27 }));
    expect(asha.phases.search.energyKWh).toBeCloseTo(totalEpochs(ashaPlan(90, 27, 1, 3)) * meanEpoch, 9);
  });

  it('successive halving prices its rungs from the spec', () => {
    const r = forecast(denseSearchSpec({ strategy: 'successive-halving', trials: 27, maxEpochs: 27 }));
    let meanEpoch = 0;
    for (const units of [64, 256, 1024]) for (const depth of [1, 2, 4]) meanEpoch += trainingKWh(units, depth, 1) / 9;
    expect(r.phases.search.trials).toBe(27);
    expect(r.phases.search.energyKWh).toBeCloseTo(totalEpochs(successiveHalvingPlan(27, 27, 1, 3)) * meanEpoch, 9);
  });

  it('the final training is added unless the best trial is the final model', () => {
    const separate = forecast(denseSearchSpec({ strategy: 'random', trials: 10 }));
    const included = forecast(denseSearchSpec({ strategy: 'random', trials: 10, includesFinalTraining: true }));
    expect(separate.phases.training.energyKWh).toBeCloseTo(separate.phases.search.energyKWh / 10, 12);
    expect(included.phases.training.energyKWh).toBe(0);
  });

  it('what-if prices the same space under every strategy and suggests the cheapest', () => {
    const e = explainForecast(
      denseSearchSpec({ strategy: 'grid', space: { units: [64, 256, 1024], depth: [1, 2, 4], lr: [1e-3, 1e-2, 1e-1] } }),
    );
    expect(e.whatIf.map((o) => o.strategy)).toEqual(['grid', 'random', 'successive-halving', 'hyperband', 'asha']);
    const grid = e.whatIf[0];
    expect(grid.energyJ / 3.6e6).toBeCloseTo(e.result.phases.search.energyKWh, 12);
    expect(e.whatIf.find((o) => o.strategy === 'random')?.trials).toBe(27);
    const cheapest = [...e.whatIf].sort((a, b) => a.energyJ - b.energyJ)[0];
    expect(e.suggestions[0]).toMatch(new RegExp(`^${cheapest.strategy} over the same space would spend`));
  });
});
