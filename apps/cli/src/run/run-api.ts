import { z } from 'zod';
import { CliInputError } from '../cli-error';
import { type CollectorAnswer, type CollectorTarget, collectorRequest, messageOf, refusedToken } from '../collector/collector-http';

const Quantiles = z.object({ p10: z.number(), p50: z.number(), p90: z.number() });
export type Quantiles = z.infer<typeof Quantiles>;

/** The part of a stored forecast (POST /api/v1/forecasts) that `wattprint run` shows. */
const StoredForecast = z.object({ id: z.string().min(1), result: z.object({ energyKWh: Quantiles, co2eqKg: Quantiles }) });
export type StoredForecast = z.infer<typeof StoredForecast>;

/** The part of GET /api/v1/jobs/:id that `wattprint run` shows once the command has ended. */
const JobFigures = z.object({
  energy: z.object({
    energyKWh: z.number(),
    facilityEnergyKWh: z.number(),
    co2eqKg: z.number(),
    gpuHours: z.number(),
    samples: z.number(),
    estimatedHours: z.array(z.string()),
  }),
  gaps: z.object({ energyMissing: z.boolean() }),
  forecast: z.object({ measuredOverForecastP50: z.number().nullable(), withinP10P90: z.boolean().nullable() }).nullable(),
});
export type JobFigures = z.infer<typeof JobFigures>;

/**
 * The answer's body in the shape asked for, or why not: a proxy's error page or a collector of another
 * version must read as such, not as a crash further on.
 */
function bodyAs<T>(
  schema: z.ZodType<T>,
  answer: CollectorAnswer,
  target: CollectorTarget,
  what: string,
): { value: T } | { problem: string } {
  const parsed = schema.safeParse(answer.body);
  if (parsed.success) return { value: parsed.data };
  const first = parsed.error.issues[0];
  const where = first.path.length > 0 ? first.path.join('.') : '(body)';
  return {
    problem: `the collector at ${target.url} answered ${answer.status} to ${what} with an unexpected body (${where}: ${first.message}); expected a Wattprint collector's answer`,
  };
}

/** Stores the spec as a forecast on the collector, which prices it with its own intensity series. */
export async function storeForecast(target: CollectorTarget, spec: unknown, specPath: string): Promise<StoredForecast> {
  const answer = await collectorRequest(
    target,
    'POST',
    '/api/v1/forecasts',
    {},
    { contentType: 'application/json', body: JSON.stringify(spec) },
  );
  if (answer.status === 201) {
    const body = bodyAs(StoredForecast, answer, target, 'the forecast');
    if ('problem' in body) throw new CliInputError([body.problem]);
    return body.value;
  }
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
    answer = await collectorRequest(target, 'GET', `/api/v1/jobs/${encodeURIComponent(jobId)}`);
  } catch (error) {
    return { figures: null, problem: error instanceof CliInputError ? error.lines.join('; ') : String(error) };
  }
  if (answer.status === 200) {
    const body = bodyAs(JobFigures, answer, target, 'the job');
    return 'problem' in body ? { figures: null, problem: body.problem } : { figures: body.value };
  }
  if (answer.status === 404) return { figures: null };
  const refused = refusedToken(answer, "an admin token or a viewer token of the job's team");
  return { figures: null, problem: refused ? refused.lines[0] : `the collector answered ${answer.status}: ${messageOf(answer)}` };
}
