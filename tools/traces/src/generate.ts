import { hourlyIntensity, REGION_PROFILES, type IntensityRow } from './intensity';
import { renderScenario } from './render';
import { planScenario, type Scenario } from './scenario';
import type { ScenarioOptions } from './scenario-options';
import type { SampleGrid } from './sample-grid';
import { computeTruth, type NodeTraces, type Truth } from './truth';

/** A whole simulated cluster: the plan, every device's readings, the exact energy, the grid's carbon. */
export interface GeneratedScenario {
  scenario: Scenario;
  grid: SampleGrid;
  traces: NodeTraces[];
  truth: Truth;
  intensity: IntensityRow[];
}

/** Pure: the same options give the same result, bit for bit. */
export function generateScenario(options: ScenarioOptions): GeneratedScenario {
  const scenario = planScenario(options);
  const { grid, traces } = renderScenario(scenario);
  const truth = computeTruth(scenario, grid, traces);
  const regions = [...new Set(scenario.sites.map((s) => s.region))].map((r) => REGION_PROFILES[r]);
  const intensity = hourlyIntensity(regions, scenario.startMs, scenario.endMs, scenario.seed);
  return { scenario, grid, traces, truth, intensity };
}
