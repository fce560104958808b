import type { CalibrationFile } from '@wattprint/estimation';
import { renderTable } from './table';
import { percent } from './units';

const sci = (v: number) => v.toExponential(3);

export function formatCalibration(file: CalibrationFile): string {
  return renderTable(
    [
      { header: 'Profile' },
      { header: 'Obs', align: 'right' },
      { header: 'MAPE', align: 'right' },
      { header: 'α J/layer·batch', align: 'right' },
      { header: 'β J/FLOP', align: 'right' },
      { header: 'γ J/byte', align: 'right' },
      { header: 'θ', align: 'right' },
      { header: 'Duration ×', align: 'right' },
      { header: 'p10–p90 ×', align: 'right' },
    ],
    Object.entries(file.profiles).map(([id, p]) => [
      id,
      String(p.observations),
      percent(p.mape),
      sci(p.alpha),
      sci(p.beta),
      sci(p.gamma),
      `${p.theta.toFixed(2)}${p.thetaFitted ? '' : ' (default)'}`,
      p.durationScale.toFixed(2),
      `${p.energySpread.p10.toFixed(2)}–${p.energySpread.p90.toFixed(2)}`,
    ]),
  );
}
