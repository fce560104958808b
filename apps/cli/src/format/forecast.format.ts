import type { ForecastExplanation } from '@wattprint/estimation';
import { bullets, renderTable } from './table';
import { count, duration, energy, mass, percent, sig } from './units';

export interface ForecastHeading {
  name?: string;
  profile: string;
  devices: number;
  /** Tokens of one sample when the model is a transformer (FLOPs are then shown per token). */
  tokensPerSample?: number;
  transformer: boolean;
  /** The calibration file, to name it when its pooled fit is used. */
  calibrationFile?: string;
}

function modelLine(h: ForecastHeading, e: ForecastExplanation): string {
  const m = e.result.model;
  const flops = h.transformer
    ? `${count(m.flopsPerSample / (h.tokensPerSample ?? 1), 'FLOPs')} per token forward`
    : `${count(m.flopsPerSample, 'FLOPs')} per sample forward`;
  const layers = m.layers === null ? '' : `, ${count(m.layers)} layers`;
  return `Model: ${count(m.params)} params, ${flops}${layers}\n`;
}

function calibrationLine(h: ForecastHeading, e: ForecastExplanation): string {
  const c = e.result.calibration;
  if (c.basis === 'none' || c.mape === null) return `Calibration: none for ${c.profile}\n`;
  if (c.basis === 'pooled')
    return `Calibration: pooled fit of ${h.calibrationFile ?? 'the file'} over ${c.observations} observations of other profiles (none for ${c.profile}), MAPE ${percent(c.mape)}\n`;
  return `Calibration: ${c.profile}, ${c.observations} observations, MAPE ${percent(c.mape)}\n`;
}

/** The readable forecast: phases, every figure with its interval, what-if, assumptions, suggestions. */
export function formatForecast(heading: ForecastHeading, e: ForecastExplanation): string {
  const r = e.result;
  const parts: string[] = [];
  parts.push(`Forecast${heading.name ? ` ${heading.name}` : ''} on ${heading.devices} × ${heading.profile}\n`);
  parts.push(modelLine(heading, e));
  const total = r.energyKWh.p50 || 1;
  parts.push(
    '\n' +
      renderTable(
        [
          { header: 'Phase' },
          { header: 'Energy (IT)', align: 'right' },
          { header: 'Share', align: 'right' },
          { header: 'Trials', align: 'right' },
        ],
        [
          ['search', energy(r.phases.search.energyKWh), percent(r.phases.search.energyKWh / total), count(r.phases.search.trials)],
          ['training', energy(r.phases.training.energyKWh), percent(r.phases.training.energyKWh / total), ''],
          ['inference', energy(r.phases.inference.energyKWh), percent(r.phases.inference.energyKWh / total), ''],
        ],
      ),
  );
  parts.push(
    '\n' +
      renderTable(
        [{ header: '' }, { header: 'p10', align: 'right' }, { header: 'p50', align: 'right' }, { header: 'p90', align: 'right' }],
        [
          ['Energy (IT)', energy(r.energyKWh.p10), energy(r.energyKWh.p50), energy(r.energyKWh.p90)],
          ['Facility energy', energy(r.facilityEnergyKWh.p10), energy(r.facilityEnergyKWh.p50), energy(r.facilityEnergyKWh.p90)],
          ['CO2eq', mass(r.co2eqKg.p10), mass(r.co2eqKg.p50), mass(r.co2eqKg.p90)],
          ['Duration', duration(r.durationH.p10), duration(r.durationH.p50), duration(r.durationH.p90)],
          ['Device-hours', sig(r.deviceHours.p10), sig(r.deviceHours.p50), sig(r.deviceHours.p90)],
        ],
      ),
  );
  parts.push(calibrationLine(heading, e));
  if (e.whatIf.length) {
    parts.push(
      '\nWhat-if: the same search under each strategy\n' +
        renderTable(
          [
            { header: 'Strategy' },
            { header: 'Trials', align: 'right' },
            { header: 'Epochs', align: 'right' },
            { header: 'Energy (IT)', align: 'right' },
            { header: 'Duration', align: 'right' },
          ],
          e.whatIf.map((o) => [o.strategy, count(o.trials), count(o.epochs), energy(o.energyJ / 3.6e6), duration(o.durationS / 3600)]),
        ),
    );
  }
  parts.push('\n' + bullets('Assumptions', r.assumptions));
  const suggestions = bullets('Suggestions', e.suggestions);
  if (suggestions) parts.push('\n' + suggestions);
  return parts.join('');
}
