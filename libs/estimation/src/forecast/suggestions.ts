import type { StartChoice } from '../carbon/intensity';
import type { StrategyOutcome } from '../search/what-if';
import type { PreparedSpec } from '../spec/prepare';
import type { ForecastResult } from './result';
import { formatEnergy, formatMass } from './units';

const J_PER_KWH = 3.6e6;

export interface SuggestionInputs {
  result: ForecastResult;
  prepared: PreparedSpec;
  whatIf: StrategyOutcome[];
  bestStart?: StartChoice & { co2eqKg: number };
  calibrated: boolean;
}

function percent(part: number, whole: number): string {
  return `${Math.round((100 * part) / whole)} %`;
}

/** Plain sentences on how to spend less, each backed by a number computed from the same model. */
export function suggestionsFor({ result, prepared, whatIf, bestStart, calibrated }: SuggestionInputs): string[] {
  const out: string[] = [];
  const current = whatIf.find((o) => o.strategy === prepared.search?.strategy);
  const cheapest = whatIf.reduce<StrategyOutcome | undefined>(
    (best, o) => (best === undefined || o.energyJ < best.energyJ ? o : best),
    undefined,
  );
  if (current && cheapest && cheapest.strategy !== current.strategy && cheapest.energyJ < 0.9 * current.energyJ) {
    out.push(
      `${cheapest.strategy} over the same space would spend ${formatEnergy(cheapest.energyJ / J_PER_KWH)} on search instead of ${formatEnergy(current.energyJ / J_PER_KWH)} (−${percent(current.energyJ - cheapest.energyJ, current.energyJ)})`,
    );
  }
  if (bestStart && bestStart.co2eqKg < 0.95 * result.co2eqKg.p50) {
    out.push(
      `starting at ${new Date(bestStart.startMs).toISOString()} would emit ${formatMass(bestStart.co2eqKg)} CO2eq instead of ${formatMass(result.co2eqKg.p50)} (−${percent(result.co2eqKg.p50 - bestStart.co2eqKg, result.co2eqKg.p50)})`,
    );
  }
  const total = result.energyKWh.p50;
  if (total > 0 && result.phases.inference.energyKWh > 0.5 * total) {
    out.push(
      `inference is ${percent(result.phases.inference.energyKWh, total)} of the life-cycle energy: a smaller dedicated model or a measured inferenceJ (from the collector) matters more than training choices`,
    );
  }
  if (!calibrated)
    out.push(`no calibration for ${prepared.profile.id}: run \`wattprint calibrate\` on measured runs to narrow the interval`);
  return out;
}
