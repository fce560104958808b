import type { CalibrationFile, FitCore } from '@wattprint/estimation';
import { renderTable } from './table';
import { percent } from './units';

const sci = (v: number) => v.toExponential(3);

function common(fit: FitCore): string[] {
  return [
    String(fit.observations),
    String(fit.withDuration),
    percent(fit.mape),
    percent(fit.coverage),
    `${fit.theta.toFixed(2)}${fit.thetaFitted ? '' : ' (default)'}`,
    fit.durationScale.toFixed(2),
    fit.idleScale.toFixed(2),
    `${fit.spread.p10.toFixed(2)}–${fit.spread.p90.toFixed(2)}`,
  ];
}

/**
 * Per profile: observations (and how many had a duration), in-sample MAPE and the share of them the
 * fitted p10–p90 covers, the coefficients, and the pooled fit used for profiles the file does not name.
 */
export function formatCalibration(file: CalibrationFile): string {
  const rows = Object.entries(file.profiles).map(([id, p]) => {
    const [obs, timed, mape, covered, theta, duration, idle, spread] = common(p);
    return [id, obs, timed, mape, covered, sci(p.alpha), sci(p.beta), sci(p.gamma), theta, duration, idle, spread];
  });
  if (file.pooled && Object.keys(file.profiles).length > 1) {
    const [obs, timed, mape, covered, theta, duration, idle, spread] = common(file.pooled);
    rows.push(['(pooled: any other profile)', obs, timed, mape, covered, '—', '—', '—', theta, duration, idle, spread]);
  }
  return renderTable(
    [
      { header: 'Profile' },
      { header: 'Obs', align: 'right' },
      { header: 'Timed', align: 'right' },
      { header: 'MAPE', align: 'right' },
      { header: 'Covered', align: 'right' },
      { header: 'α J/layer·batch', align: 'right' },
      { header: 'β J/FLOP', align: 'right' },
      { header: 'γ J/byte', align: 'right' },
      { header: 'θ', align: 'right' },
      { header: 'Duration ×', align: 'right' },
      { header: 'Idle ×', align: 'right' },
      { header: 'p10–p90 ×', align: 'right' },
    ],
    rows,
  );
}
