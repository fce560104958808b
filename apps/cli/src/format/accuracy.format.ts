import type { AccuracyReport, ErrorSummary, TargetCheck } from '@wattprint/estimation';
import { renderTable } from './table';
import { energy, percent, sig } from './units';

const orDash = (v: number | null, f: (v: number) => string) => (v === null ? '—' : f(v));

function summaryCells(s: ErrorSummary): string[] {
  return [
    String(s.runs),
    percent(s.uncalibratedMape),
    sig(s.medianRatio),
    percent(s.coverage),
    orDash(s.looMape, percent),
    orDash(s.deviceHoursMape, percent),
  ];
}

function targetLines(check: TargetCheck): string {
  const c = check.coverage;
  const lines = [
    `  - uncalibrated p10–p90 covers ≥ ${percent(c.target)} of the set: ${percent(c.value)} (${c.met ? 'met' : 'NOT MET'})`,
    ...check.loo.map(
      (l) => `  - leave-one-out MAPE ≤ ${percent(l.target)} within ${l.family}: ${percent(l.value)} (${l.met ? 'met' : 'NOT MET'})`,
    ),
  ];
  return `Targets\n${lines.join('\n')}\n`;
}

/** Families with their errors, the targets, then every run: what a person checks the forecast against. */
export function formatAccuracy(report: AccuracyReport, check: TargetCheck, source: string): string {
  const o = report.overall;
  const parts: string[] = [];
  parts.push(
    `Accuracy against ${o.runs} published runs (${source}): ${report.families.length} families, ` +
      `${o.generations.length} hardware generations (${o.generations.join(', ')}), ` +
      `${o.trainingFlops.min.toExponential(1)} to ${o.trainingFlops.max.toExponential(1)} training FLOPs\n`,
  );
  parts.push(
    '\n' +
      renderTable(
        [
          { header: 'Family' },
          { header: 'Counts' },
          { header: 'Runs', align: 'right' },
          { header: 'MAPE', align: 'right' },
          { header: 'Measured/forecast', align: 'right' },
          { header: 'In p10–p90', align: 'right' },
          { header: 'LOO MAPE', align: 'right' },
          { header: 'Device-h MAPE', align: 'right' },
        ],
        [
          ...report.families.map((f) => [f.family, `${f.covers.scope}${f.covers.pue ? ', PUE' : ''}`, ...summaryCells(f)]),
          ['all runs', '', ...summaryCells(o)],
        ],
      ),
  );
  parts.push(
    'MAPE and measured/forecast (median): the uncalibrated p50. LOO: calibrated on the other runs of the family\n' +
      '(families of 3 runs or more). Device-h: device-hours, where published.\n',
  );
  parts.push('\n' + targetLines(check));
  parts.push(
    '\n' +
      renderTable(
        [
          { header: 'Run' },
          { header: 'Profile' },
          { header: 'Measured', align: 'right' },
          { header: 'Forecast', align: 'right' },
          { header: 'p10–p90', align: 'right' },
          { header: 'Ratio', align: 'right' },
          { header: 'LOO ratio', align: 'right' },
        ],
        report.runs.map((r) => [
          `${r.family}/${r.id}`,
          r.profile,
          energy(r.measuredKWh),
          energy(r.forecastKWh.p50),
          `${energy(r.forecastKWh.p10)}–${energy(r.forecastKWh.p90)}${r.inside ? '' : ' ✗'}`,
          sig(r.ratio),
          r.loo ? `${sig(r.loo.ratio)}${r.loo.basis === 'pooled' ? ' (pooled)' : ''}` : '—',
        ]),
      ),
  );
  parts.push('Energy is IT energy (facility figures divided by their PUE); ratio is measured over forecast p50; ✗ outside p10–p90.\n');
  return parts.join('');
}
