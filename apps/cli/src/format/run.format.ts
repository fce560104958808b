import type { JobFigures, Quantiles } from '../run/run-api';
import { duration, energy, mass, sig } from './units';

/** What `wattprint run` knows of a forecast before launch: stored on the collector (with an id) or only computed here. */
export interface LaunchForecast {
  id: string | null;
  energyKWh: Quantiles;
  co2eqKg: Quantiles;
}

/** Everything `wattprint run` learnt, as written by `--summary FILE` for machines. */
export interface RunSummary {
  jobId: string;
  command: string[];
  startedAt: string;
  endedAt: string;
  durationS: number;
  /** The wrapper's own exit status: the command's, 128 + signal, or 126/127 when it could not start. */
  exitStatus: number;
  signal: string | null;
  /** Why the command could not be started, when it could not. */
  startError: string | null;
  forecast: LaunchForecast | null;
  /** The job as the collector held it just after the command ended; null without a token or before any energy arrived. */
  ledger: (JobFigures['energy'] & { energyMissing: boolean; forecastRatio: number | null; withinForecastInterval: boolean | null }) | null;
  ledgerProblem: string | null;
}

const PREFIX = 'wattprint:';

/** A command as a person would type it again: arguments with spaces or quotes are quoted. */
export function shellWords(words: readonly string[]): string {
  return words.map((w) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function formatLaunch(jobId: string, forecast: LaunchForecast | null): string {
  if (!forecast) return `${PREFIX} job ${jobId}\n`;
  const e = forecast.energyKWh;
  const where = forecast.id ? `forecast ${forecast.id}` : 'forecast (computed here, not stored: no token)';
  return `${PREFIX} job ${jobId}; ${where}: ${energy(e.p50)} (p10–p90 ${energy(e.p10)}–${energy(e.p90)}), ${mass(forecast.co2eqKg.p50)} CO2eq\n`;
}

function howItEnded(s: RunSummary): string {
  if (s.signal) return `was ended by ${s.signal}`;
  return `exited ${s.exitStatus}`;
}

function againstForecast(ratio: number | null, within: boolean | null): string {
  if (ratio === null) return '';
  const interval = within === null ? '' : within ? ' (within p10–p90)' : ' (outside p10–p90)';
  return `; ${sig(ratio)}× the forecast p50${interval}`;
}

export function formatRunEnd(s: RunSummary, reportAsked: boolean): string {
  const lines = [`${PREFIX} job ${s.jobId}: \`${shellWords(s.command)}\` ${howItEnded(s)} after ${duration(s.durationS / 3600)}`];
  if (s.ledger) {
    const l = s.ledger;
    lines.push(
      `${PREFIX} in the ledger so far: ${energy(l.energyKWh)} IT, ${energy(l.facilityEnergyKWh)} facility, ${mass(l.co2eqKg)} CO2eq, ${sig(l.gpuHours)} GPU-hours` +
        againstForecast(l.forecastRatio, l.withinForecastInterval),
    );
    if (l.energyMissing)
      lines.push(
        `${PREFIX} some of its energy is missing: an agent was down or batches were lost (see gaps in GET /api/v1/jobs/${s.jobId})`,
      );
    lines.push(
      `${PREFIX} the agent sends a batch every few seconds, so the last ones may still be on their way: GET /api/v1/jobs/${s.jobId} for the final figure`,
    );
  } else if (s.ledgerProblem) {
    lines.push(`${PREFIX} could not read the job from the collector: ${s.ledgerProblem}`);
  } else if (reportAsked) {
    lines.push(
      `${PREFIX} the collector has no energy for job ${s.jobId} yet: is the Wattprint agent running on this node? It books a GPU's energy to the job whose process holds the GPU`,
    );
  }
  return lines.map((l) => `${l}\n`).join('');
}
