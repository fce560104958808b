import { CliInputError } from '../cli-error';
import { type CollectorTarget, collectorRequest, messageOf, refusedToken } from '../collector/collector-http';

export type Quantiles = { p10: number; p50: number; p90: number };

/** The part of a stored forecast (POST /api/v1/forecasts) that `wattprint run` shows. */
export interface StoredForecast {
  id: string;
  result: { energyKWh: Quantiles; co2eqKg: Quantiles; durationH: Quantiles };
}

/** The part of GET /api/v1/jobs/:id that `wattprint run` shows once the command has ended. */
export interface JobFigures {
  energy: { energyKWh: number; facilityEnergyKWh: number; co2eqKg: number; gpuHours: number; samples: number; estimatedHours: string[] };
  gaps: { energyMissing: boolean };
  forecast: { id: string; found: boolean; measuredOverForecastP50: number | null; withinP10P90: boolean | null } | null;
}

/** Stores the spec as a forecast on the collector, which prices it with its own intensity series. */
export async function storeForecast(target: CollectorTarget, spec: unknown, specPath: string): Promise<StoredForecast> {
  const answer = await collectorRequest(target, new URL('/api/v1/forecasts', target.url), { method: 'POST', contentType: 'application/json', body: JSON.stringify(spec) });
  if (answer.status === 201) return answer.body as StoredForecast;
  const refused = refusedToken(answer, 'an admin or viewer token');
  if (refused) throw refused;
  const problems = (answer.body as { problems?: Array<{ path?: string; message?: string }> } | undefined)?.problems;
  if (answer.status === 400 && Array.isArray(problems) && problems.length > 0) {
    throw new CliInputError(problems.map((p) => `${specPath}: ${p.path ?? ''}: ${p.message ?? 'invalid'}`));
  }
  throw new CliInputError([`the collector answered ${answer.status} to the forecast: ${messageOf(answer)}`]);
}

/**
 * The job's figures as the ledger holds them now, or null when it has none yet (no agent has booked
 * energy to it). Never throws for a collector's refusal: the command has already run, so its exit status
 * must not depend on the report; the reason comes back as text instead.
 */
export async function fetchJobFigures(target: CollectorTarget, jobId: string): Promise<{ figures: JobFigures | null; problem?: string }> {
  let answer;
  try {
    answer = await collectorRequest(target, new URL(`/api/v1/jobs/${encodeURIComponent(jobId)}`, target.url), { method: 'GET' });
  } catch (error) {
    return { figures: null, problem: error instanceof CliInputError ? error.lines.join('; ') : String(error) };
  }
  if (answer.status === 200) return { figures: answer.body as JobFigures };
  if (answer.status === 404) return { figures: null };
  const refused = refusedToken(answer, 'an admin token or a viewer token of the job\'s team');
  return { figures: null, problem: refused ? refused.lines[0] : `the collector answered ${answer.status}: ${messageOf(answer)}` };
}
